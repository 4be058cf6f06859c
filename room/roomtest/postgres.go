package roomtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// PostgresEnv names the environment variable that enables tests against
// PostgreSQL: the URL of a database in which they may create schemas.
const PostgresEnv = "PARLEY_TEST_POSTGRES"

// PostgresDSN returns the URL of an empty PostgreSQL schema of the test's
// own: it creates a uniquely named schema in the database PostgresEnv
// points at and sets search_path to it in the URL, so that everything the
// test (or a server it starts) creates lands there; the schema is dropped
// when the test ends. Without PostgresEnv the test is skipped with a
// message that says how to enable it.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skip("PostgreSQL tests skipped: set " + PostgresEnv + " to the URL of a database in which the tests may create schemas, " +
			"e.g. " + PostgresEnv + "='postgres://parley:parley@127.0.0.1:5432/parley_test?sslmode=disable' (.ci/run starts PostgreSQL and sets it)")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	schema := "parley_test_" + strings.ToLower(rand.Text())
	if _, err := admin.ExecContext(t.Context(), `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatalf("create a schema in the database of %s: %v", PostgresEnv, err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
