package room

import "testing"

// An id is an argument of CLI commands (parley export ID): one starting
// with "-" was read as a flag (a flaky TestBackupUnderLoad found it).
func TestNewIDNeverLooksLikeAFlag(t *testing.T) {
	for range 20000 {
		id := newID()
		if len(id) != 12 || id[0] == '-' || id[0] == '_' {
			t.Fatalf("newID() = %q: want 12 characters, the first a letter or digit", id)
		}
	}
}
