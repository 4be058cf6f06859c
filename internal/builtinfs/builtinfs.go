// Package builtinfs lists the YAML files a package embeds as its built-in
// scenarios (scenario and multideal share it).
package builtinfs

import (
	"io/fs"
	"sort"
	"strings"
)

// Names returns the names of the .yaml files in dir of fsys (without the
// extension), sorted; nil when dir cannot be read (for an embedded
// directory: never).
func Names(fsys fs.FS, dir string) []string {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && !e.IsDir() {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}
