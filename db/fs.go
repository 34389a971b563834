package db

import "io/fs"

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the embedded directory is fixed at build time
	}
	return sub
}

// Migrations returns the embedded migration files (for tests that need a hash of the schema).
func Migrations() fs.FS { return mustSub(migrations, "migrations") }
