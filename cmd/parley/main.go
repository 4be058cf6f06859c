// Command parley is the Parley negotiation platform's command-line tool.
// Run `parley help` for the commands.
package main

import (
	"os"

	"github.com/parley-negotiation/parley/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
