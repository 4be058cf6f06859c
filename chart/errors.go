package chart

import "fmt"

// InputError is a chart's refusal of its inputs: a party that is not in
// the scenario or has no profile, fewer than two parties to put on the
// axes. Its message names the chart and what is wrong, and holds no
// utility or other private figure, so a caller may show it to the person
// who asked for the chart.
type InputError struct {
	msg string
}

func (e *InputError) Error() string { return e.msg }

func inputErrorf(format string, args ...any) *InputError {
	return &InputError{msg: fmt.Sprintf(format, args...)}
}
