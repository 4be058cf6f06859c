package multideal

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("../docs/multideal.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("multideal.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("multideal.schema.json")
	if err != nil {
		t.Fatalf("the schema does not compile: %v", err)
	}
	return sch
}

func yamlJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSchema: the schema accepts the files Parse accepts (the test files
// and the examples in docs/multideal.md) and rejects structural mistakes.
func TestSchema(t *testing.T) {
	sch := compileSchema(t)
	files := map[string][]byte{"two-jobs": []byte(combineFile)}
	for _, f := range []string{"dinners.yml", "targetquantity.yml"} {
		data, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		files[f] = data
	}
	doc, err := os.ReadFile("../docs/multideal.md")
	if err != nil {
		t.Fatal(err)
	}
	for i, block := range strings.Split(string(doc), "```yaml\n")[1:] {
		files["docs block "+string(rune('1'+i))] = []byte(block[:strings.Index(block, "```")])
	}
	if len(files) != 5 {
		t.Fatalf("%d files, want 5 (two yaml blocks in docs/multideal.md)", len(files))
	}
	for name, data := range files {
		if _, err := Parse(name, data); err != nil {
			t.Errorf("%s: Parse rejects it: %v", name, err)
		}
		if err := sch.Validate(yamlJSON(t, data)); err != nil {
			t.Errorf("%s: the schema rejects it: %v", name, err)
		}
	}
	for _, bad := range []struct{ old, new string }{
		{"combine: weighted", "combine: average"},
		{"multideal: 1", "multideal: 2"},
		{"kind: combine", "kind: lookup"},
		{"  - edge: bob\n", "  - edg: bob\n"},
	} {
		src := strings.Replace(combineFile, bad.old, bad.new, 1)
		if err := sch.Validate(yamlJSON(t, []byte(src))); err == nil {
			t.Errorf("schema accepts %q → %q", bad.old, bad.new)
		}
		if _, err := Parse("bad.yml", []byte(src)); err == nil {
			t.Errorf("Parse accepts %q → %q", bad.old, bad.new)
		}
	}
}
