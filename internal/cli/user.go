package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/room/sqlstore"
)

// parley user: the room's accounts (mediators and instructors) and their
// sign-ins, managed by the operator on the room's database while the
// server runs or not (docs/security.md#accounts).

func newUser(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "user",
		Short: "Manage the room's accounts and their sign-ins",
		Long: `User manages the accounts of the room parley serve runs, in its database
(--db): add one, list them, remove one, set a password, list an account's
sign-ins and revoke them. Each account sees only its own negotiations and
classes. The account parley serve makes on first start is the room's owner: it
also manages the accounts from the room's pages.

Passwords never go on the command line: they are read from a prompt (a
terminal), from standard input's first line (--password-stdin), or made and
printed once.`,
		Example: `  parley user add alice --db parley.db --role instructor
  parley user list --db parley.db
  printf '%s\n' "$NEW_PASSWORD" |
      parley user passwd alice --db parley.db --password-stdin
  parley user sessions alice --db parley.db
  parley user revoke alice --all --db parley.db`,
	}
	c.AddCommand(newUserAdd(e), newUserList(e), newUserRemove(e), newUserPasswd(e), newUserSessions(e), newUserRevoke(e))
	return c
}

// roomFlags are the flags of the commands on the room's database.
type roomFlags struct {
	db      string
	jsonOut bool
}

func (f *roomFlags) add(c *cobra.Command, json string) {
	c.Flags().StringVar(&f.db, "db", "parley.db", "the room's database: SQLite file or postgres:// URL")
	c.Flags().BoolVar(&f.jsonOut, "json", false, json)
}

// openRoom opens the room's database; create: it may be made (a new SQLite
// file), otherwise it must be there.
func openRoom(cmd *cobra.Command, db string, create bool) (*sqlstore.Store, context.Context, error) {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	if !create && !isPostgres(db) {
		if _, err := os.Stat(db); err != nil {
			return nil, nil, usagef("--db %s: no such database (the SQLite file of parley serve --db)", db)
		}
	}
	st, err := sqlstore.Open(ctx, db)
	if err != nil {
		return nil, nil, fmt.Errorf("open store %s: %w", db, err)
	}
	return st, ctx, nil
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// roomError makes a room error that names an account or record that is
// not there a usage error (an argument that names nothing).
func roomError(err error) error {
	if room.ErrorCode(err) == room.ENOTFOUND || room.ErrorCode(err) == room.EINVALID {
		return usageError{fmt.Errorf("%s", room.ErrorMessage(err))}
	}
	return err
}

// password gets a new password: standard input's first line with stdin,
// a prompt on a terminal, otherwise a generated one (generated true).
func password(e *env, stdin bool) (pw string, generated bool, err error) {
	if stdin {
		line, err := bufio.NewReader(io.LimitReader(e.stdin, room.MaxPassword+2)).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", false, fmt.Errorf("read the password from standard input: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
		if len(pw) < 8 || len(pw) > room.MaxPassword {
			return "", false, usagef("--password-stdin: want a password of 8 to %d bytes on standard input's first line", room.MaxPassword)
		}
		return pw, false, nil
	}
	if f, ok := e.stdin.(*os.File); ok && isTerminal(f) {
		return prompt(e, f)
	}
	tok, _ := room.NewToken()
	return tok[:20], true, nil
}

// prompt asks for a password twice on the terminal, without echo.
func prompt(e *env, f *os.File) (string, bool, error) {
	echo := func(on bool) {
		arg := "-echo"
		if on {
			arg = "echo"
		}
		cmd := exec.Command("stty", arg)
		cmd.Stdin = f
		_ = cmd.Run()
	}
	r := bufio.NewReader(f)
	read := func(what string) (string, error) {
		fmt.Fprint(e.stderr, what)
		echo(false)
		line, err := r.ReadString('\n')
		echo(true)
		fmt.Fprintln(e.stderr)
		return strings.TrimRight(line, "\r\n"), err
	}
	pw, err := read("New password: ")
	if err != nil {
		return "", false, fmt.Errorf("read the password: %w", err)
	}
	again, err := read("Again: ")
	if err != nil {
		return "", false, fmt.Errorf("read the password: %w", err)
	}
	if pw != again {
		return "", false, usagef("the passwords differ")
	}
	if len(pw) < 8 || len(pw) > room.MaxPassword {
		return "", false, usagef("password: want 8 to %d bytes", room.MaxPassword)
	}
	return pw, false, nil
}

// account is an account as the commands print it.
type account struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Role    string    `json:"role"`
	Created time.Time `json:"created"`
	// Sessions counts its sign-ins that have not expired (list).
	Sessions *int `json:"sessions,omitempty"`
	// Password is a generated password, printed once (add, passwd).
	Password string `json:"password,omitempty"`
}

func accountOf(u room.User) account {
	return account{ID: u.ID, Name: u.Name, Role: u.Role, Created: u.Created}
}

func newUserAdd(e *env) *cobra.Command {
	var fl roomFlags
	var role string
	var stdin bool
	c := &cobra.Command{
		Use:   "add NAME --db DB",
		Short: "Add an account (a mediator or an instructor)",
		Long: `Add adds an account to the room. Its password is read from a prompt on a
terminal or from standard input's first line (--password-stdin); otherwise one
is made and printed once. The first account of a new database is the room's
owner.`,
		Example: `  parley user add alice --db parley.db --role instructor
  parley user add bob --db parley.db --password-stdin < bob.txt`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if role != room.RoleMediator && role != room.RoleInstructor {
				return usagef("--role %q: want mediator or instructor", clean(role))
			}
			st, ctx, err := openRoom(cmd, fl.db, true)
			if err != nil {
				return err
			}
			defer st.Close()
			svc := room.New(st, nil)
			all, err := svc.Users(ctx)
			if err != nil {
				return err
			}
			if len(all) == 0 {
				role = room.RoleOwner
			}
			pw, generated, err := password(e, stdin)
			if err != nil {
				return err
			}
			u, err := svc.CreateAccount(ctx, args[0], pw, role)
			if err != nil {
				if room.ErrorCode(err) == room.ECONFLICT {
					return usageError{fmt.Errorf("%s", room.ErrorMessage(err))}
				}
				return roomError(err)
			}
			a := accountOf(u)
			if generated {
				a.Password = pw
			}
			if fl.jsonOut {
				return writeJSON(e.stdout, a)
			}
			fmt.Fprintf(e.stdout, "Added the %s account %q", u.Role, u.Name)
			if generated {
				fmt.Fprintf(e.stdout, " with password %s (shown once)", pw)
			}
			fmt.Fprintln(e.stdout, ".")
			return nil
		},
	}
	fl.add(c, "print the account as JSON (with the password when it was made)")
	c.Flags().StringVar(&role, "role", room.RoleMediator, "mediator or instructor")
	c.Flags().BoolVar(&stdin, "password-stdin", false, "read the password from standard input's first line")
	return c
}

func newUserList(e *env) *cobra.Command {
	var fl roomFlags
	c := &cobra.Command{
		Use:   "list --db DB",
		Short: "List the accounts",
		Long: `List lists the room's accounts, oldest first, with their role and how
many sign-ins each has that have not expired.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, ctx, err := openRoom(cmd, fl.db, false)
			if err != nil {
				return err
			}
			defer st.Close()
			svc := room.New(st, nil)
			users, err := svc.Users(ctx)
			if err != nil {
				return err
			}
			out := []account{}
			for _, u := range users {
				list, err := svc.Sessions(ctx, u.ID, "")
				if err != nil {
					return err
				}
				n := 0
				for _, s := range list {
					if !s.Expired {
						n++
					}
				}
				a := accountOf(u)
				a.Sessions = &n
				out = append(out, a)
			}
			if fl.jsonOut {
				return writeJSON(e.stdout, out)
			}
			for _, a := range out {
				fmt.Fprintf(e.stdout, "%-24s %-10s created %s, %s\n", clean(a.Name), a.Role, a.Created.Format(time.DateOnly), fmt.Sprintf("%d %s", *a.Sessions, countNoun(*a.Sessions, "sign-in", "sign-ins")))
			}
			return nil
		},
	}
	fl.add(c, "print the accounts as JSON")
	return c
}

func newUserRemove(e *env) *cobra.Command {
	var fl roomFlags
	c := &cobra.Command{
		Use:   "remove NAME --db DB",
		Short: "Remove an account and its sign-ins",
		Long: `Remove removes an account and ends its sign-ins. An account that still owns
negotiations, classes or kept records is not removed: delete them first
(parley purge). The room's only owner account is not removed.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, ctx, err := openRoom(cmd, fl.db, false)
			if err != nil {
				return err
			}
			defer st.Close()
			u, err := room.New(st, nil).RemoveUser(ctx, args[0])
			if err != nil {
				return roomError(err)
			}
			if fl.jsonOut {
				return writeJSON(e.stdout, map[string]any{"removed": accountOf(u)})
			}
			fmt.Fprintf(e.stdout, "Removed the account %q.\n", u.Name)
			return nil
		},
	}
	fl.add(c, "print the removed account as JSON")
	return c
}

func newUserPasswd(e *env) *cobra.Command {
	var fl roomFlags
	var stdin bool
	c := &cobra.Command{
		Use:   "passwd NAME --db DB",
		Short: "Set an account's password (its sign-ins end)",
		Long: `Passwd sets an account's password, read from a prompt on a terminal or from
standard input's first line (--password-stdin), otherwise made and printed
once. Every sign-in of the account ends.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, ctx, err := openRoom(cmd, fl.db, false)
			if err != nil {
				return err
			}
			defer st.Close()
			svc := room.New(st, nil)
			if _, err := st.UserByName(ctx, args[0]); err != nil {
				return roomError(err)
			}
			pw, generated, err := password(e, stdin)
			if err != nil {
				return err
			}
			u, err := svc.SetPassword(ctx, args[0], pw)
			if err != nil {
				return roomError(err)
			}
			a := accountOf(u)
			if generated {
				a.Password = pw
			}
			if fl.jsonOut {
				return writeJSON(e.stdout, a)
			}
			fmt.Fprintf(e.stdout, "Set the password of %q", u.Name)
			if generated {
				fmt.Fprintf(e.stdout, " to %s (shown once)", pw)
			}
			fmt.Fprintln(e.stdout, "; its sign-ins ended.")
			return nil
		},
	}
	fl.add(c, "print the account as JSON (with the password when it was made)")
	c.Flags().BoolVar(&stdin, "password-stdin", false, "read the password from standard input's first line")
	return c
}

func newUserSessions(e *env) *cobra.Command {
	var fl roomFlags
	c := &cobra.Command{
		Use:   "sessions NAME --db DB",
		Short: "List an account's sign-ins",
		Long: `Sessions lists an account's sign-ins, oldest first: the id that revokes it
(parley user revoke), when it was made and when it expires.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, ctx, err := openRoom(cmd, fl.db, false)
			if err != nil {
				return err
			}
			defer st.Close()
			_, list, err := room.New(st, nil).SessionsOf(ctx, args[0])
			if err != nil {
				return roomError(err)
			}
			if fl.jsonOut {
				return writeJSON(e.stdout, list)
			}
			for _, s := range list {
				made := "before sign-ins were dated"
				if !s.Created.IsZero() {
					made = "signed in " + s.Created.Format(time.RFC3339)
				}
				state := "expires " + s.Expires.Format(time.RFC3339)
				if s.Expired {
					state = "expired"
				}
				fmt.Fprintf(e.stdout, "%s  %s, %s\n", s.ID, made, state)
			}
			return nil
		},
	}
	fl.add(c, "print the sign-ins as JSON")
	return c
}

func newUserRevoke(e *env) *cobra.Command {
	var fl roomFlags
	var all bool
	c := &cobra.Command{
		Use:   "revoke NAME [SESSION]... --db DB",
		Short: "End an account's sign-ins",
		Long: `Revoke ends the sign-ins of an account named by their ids (parley user
sessions lists them), or all of them with --all. The next request of a revoked
sign-in is refused, and its open event streams end.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ids := args[1:]
			switch {
			case all && len(ids) > 0:
				return usagef("--all and sign-in ids exclude each other")
			case !all && len(ids) == 0:
				return usagef("name the sign-ins to revoke (parley user sessions %s), or give --all", clean(args[0]))
			case all:
				ids = nil
			}
			for _, id := range ids {
				if !isHex(id, room.LoginIDLen) {
					return usagef("revoke %q: %q is not a sign-in id (%d hex digits: parley user sessions %s lists them)",
						clean(args[0]), clean(id), room.LoginIDLen, clean(args[0]))
				}
			}
			st, ctx, err := openRoom(cmd, fl.db, false)
			if err != nil {
				return err
			}
			defer st.Close()
			n, err := room.New(st, nil).RevokeSessionsOf(ctx, args[0], ids)
			if err != nil {
				return roomError(err)
			}
			if fl.jsonOut {
				return writeJSON(e.stdout, map[string]any{"user": args[0], "revoked": n})
			}
			fmt.Fprintf(e.stdout, "Revoked %d %s of %q.\n", n, countNoun(n, "sign-in", "sign-ins"), clean(args[0]))
			return nil
		},
	}
	fl.add(c, "print how many sign-ins were revoked as JSON")
	c.Flags().BoolVar(&all, "all", false, "revoke every sign-in of the account")
	return c
}

// isHex reports whether s is n lower-case hex digits.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}
