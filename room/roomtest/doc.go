// Package roomtest is the conformance suite for room.Store
// implementations: Run exercises every method of the interface and its
// error contract (ENOTFOUND for missing records, ECONFLICT for taken IDs,
// user names and token hashes and for appends that do not continue the
// log), the oldest-first order of the lists, the atomicity of multi-event
// appends, the exact round trip of records and session logs (a real hash
// chain read back must verify and replay), and appends racing from several
// goroutines. Run it under -race.
//
// An adapter's test calls it with a function that opens a fresh, empty
// store:
//
//	func TestConformance(t *testing.T) {
//		roomtest.Run(t, func(t *testing.T) room.Store {
//			s, err := mystore.Open(t.Context(), filepath.Join(t.TempDir(), "db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
//
// Run calls open once per subtest and closes the store itself when the
// subtest ends (checking that Close succeeds); cleanups open registers with
// t.Cleanup run after that, so they may drop the database.
//
// PostgresDSN gives a test an empty PostgreSQL schema of its own in the
// database named by $PARLEY_TEST_POSTGRES, and skips the test when the
// variable is unset.
package roomtest
