package cli

import (
	"errors"
	"time"

	"github.com/spf13/cobra"
)

// progressFlag is --progress[=INTERVAL] of the commands that write progress
// lines at an interval while they work (loadtest, worker): alone it turns
// them on (they are on by default), with an interval it sets how often,
// with 0 or false it turns them off. -q turns them off too.
type progressFlag struct {
	on    bool
	every time.Duration
	// bare: the flag was last given without a value, so the argument after
	// it may be an interval written the old way (--progress 5s).
	bare bool
}

func newProgressFlag(every time.Duration) *progressFlag { return &progressFlag{on: true, every: every} }

func (p *progressFlag) String() string {
	if p == nil || !p.on {
		return "false"
	}
	return p.every.String()
}

func (p *progressFlag) Set(v string) error {
	p.bare = false
	switch v {
	case "true":
		p.on = true
		return nil
	case "false":
		p.on = false
		return nil
	case bareProgress:
		p.on, p.bare = true, true
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return errors.New("want an interval such as 5s (0: no progress lines), or true or false")
	}
	p.on = d > 0
	if d > 0 {
		p.every = d
	}
	return nil
}

func (p *progressFlag) Type() string { return "interval" }

// bareProgress is the value pflag gives --progress alone.
const bareProgress = "on"

// register adds --progress to c.
func (p *progressFlag) register(c *cobra.Command, what string) {
	c.Flags().Var(p, "progress", "write "+what+" on stderr every `INTERVAL` (alone: on, the default; 0: off)")
	c.Flags().Lookup("progress").NoOptDefVal = bareProgress
}

// legacyArgs accepts, after --progress given alone, one argument that is an
// interval: the form --progress 5s of the versions where --progress always
// took one. Other arguments are refused as cobra.NoArgs does.
func (p *progressFlag) legacyArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 1 && p.bare {
		if d, err := time.ParseDuration(args[0]); err == nil && d >= 0 {
			return p.Set(args[0])
		}
	}
	return cobra.NoArgs(cmd, args)
}
