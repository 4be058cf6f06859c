package profile

// SetExtremeStates makes Max and Min turn to their branch and bound past n
// states (tests).
func SetExtremeStates(t *Table, n int) { t.extremeStates = n }
