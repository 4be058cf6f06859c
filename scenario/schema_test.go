package scenario

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

const schemaPath = "../docs/scenario.schema.json"

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", schemaPath, err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("scenario.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("scenario.schema.json")
	if err != nil {
		t.Fatalf("%s does not compile: %v", schemaPath, err)
	}
	return sch
}

// jsonValue converts a YAML (or JSON) document into the value a JSON parser
// would produce, for the schema validator.
func jsonValue(t *testing.T, data []byte) (any, error) {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(j))
}

func TestSchemaAcceptsValidFiles(t *testing.T) {
	sch := compileSchema(t)
	check := func(name string, data []byte) {
		v, err := jsonValue(t, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s: schema rejects a valid file: %v", name, err)
		}
	}
	for _, f := range goodFixtures(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		check(f, data)
	}
	for _, name := range BuiltinNames() {
		data, err := fs.ReadFile(builtinFS, "builtin/"+name+".yaml")
		if err != nil {
			t.Fatal(err)
		}
		check(name, data)
		// And the loader's own output of it.
		s, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{"yaml", "json"} {
			out, err := MarshalFormat(s, format)
			if err != nil {
				t.Fatal(err)
			}
			check(name+" marshalled as "+format, out)
		}
	}
}

// TestSchemaRejectsInvalidFiles checks the structural mistakes among the bad
// fixtures are caught by the schema too, and documents which problems only
// the loader finds.
func TestSchemaRejectsInvalidFiles(t *testing.T) {
	sch := compileSchema(t)
	tests := []struct {
		file   string
		reject bool
	}{
		{"unknown-keys.yaml", true},
		{"duplicates.yaml", true}, // vetoes: [p, p]
		{"values.yaml", true},
		{"points.yaml", true},
		{"version.yaml", true},
		{"missing.yaml", true},
		{"types.yaml", true},
		{"functions.yaml", true}, // two kinds in one function
		{"uncertainty.yaml", true},
		{"refs.yaml", true},         // when: {}
		{"interactions.yaml", true}, // when and unless, no when, NaN
		{"not-a-mapping.yaml", true},
		{"empty.yaml", true},
		// Only the loader knows weights_total, point and option ids, and principals.
		{"weight-above-1.yaml", false},
		{"weights-sum.yaml", false},
		{"unknown-option.yaml", false},
		{"quorum.yaml", false},
		{"json-error.json", false},
	}
	for _, tt := range tests {
		data, err := os.ReadFile(filepath.Join("testdata/bad", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		v, err := jsonValue(t, data)
		if err == nil {
			err = sch.Validate(v)
		} // else not even representable as JSON (e.g. .inf): rejected too
		if tt.reject && err == nil {
			t.Errorf("%s: schema accepts it", tt.file)
		}
		if !tt.reject && err != nil {
			t.Errorf("%s: schema rejects it (the test expects only the loader to): %v", tt.file, err)
		}
	}
}
