// Command benchdb creates and drops the throwaway database of the load
// benchmark (scripts/bench-load.sh), on the server the tests use (see
// marquee/db/dbtest): never a user's database, and only names that start
// with marquee_bench_.
//
//	benchdb create        prints the URL of a new empty database
//	benchdb drop <url>    drops it
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"marquee/db/dbtest"
	"marquee/internal/devpg"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "benchdb:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: benchdb create | drop <url>")
	}
	server, err := dbtest.Server()
	if err != nil {
		return err
	}
	ctx := context.Background()
	admin, err := sqlx.Open("postgres", server)
	if err != nil {
		return err
	}
	defer admin.Close()
	switch args[0] {
	case "create":
		b := make([]byte, 6)
		rand.Read(b)
		name := "marquee_bench_" + hex.EncodeToString(b)
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			return err
		}
		fmt.Println(devpg.WithDatabase(server, name))
		return nil
	case "drop":
		if len(args) != 2 {
			return errors.New("usage: benchdb drop <url>")
		}
		u, err := url.Parse(args[1])
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(u.Path, "/")
		if !strings.HasPrefix(name, "marquee_bench_") || strings.ContainsAny(name, `"; `) {
			return fmt.Errorf("refusing to drop %q: not a benchmark database", name)
		}
		_, err = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		return err
	}
	return fmt.Errorf("unknown command %q", args[0])
}
