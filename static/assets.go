package static

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
)

// Fingerprinted names. Every file of FS is also served under a name that
// carries a hash of its content ("js/seatmap.js" → "js/seatmap.3f2a9c1e.js"),
// so pages can link to it and browsers keep it for a year: a new content is
// a new name. views.Asset is the helper pages use; handlers serve both names.

// HashLen is the number of hex digits of the content hash in a name.
const HashLen = 8

// Asset is one embedded file with its fingerprint.
type Asset struct {
	Name string // as in FS: "js/seatmap.js"
	Hash string // HashLen hex digits of the SHA-256 of Data
	Data []byte
}

// HashedName is the fingerprinted name: "js/seatmap.3f2a9c1e.js".
func (a *Asset) HashedName() string { return WithHash(a.Name, a.Hash) }

// Manifest is every file of FS by name, read and hashed once.
type Manifest struct {
	byName map[string]*Asset
}

// manifest is computed once from the embedded files, which never change
// while the process runs: a constant, not state.
var manifest = sync.OnceValue(func() *Manifest {
	m := &Manifest{byName: map[string]*Asset{}}
	err := fs.WalkDir(FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(FS, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m.byName[p] = &Asset{Name: p, Hash: hex.EncodeToString(sum[:])[:HashLen], Data: b}
		return nil
	})
	if err != nil {
		panic("static: read embedded files: " + err.Error()) // fixed at build time; tested
	}
	return m
})

// Files returns the manifest of the embedded files.
func Files() *Manifest { return manifest() }

// Lookup returns the file named name ("js/seatmap.js").
func (m *Manifest) Lookup(name string) (*Asset, bool) {
	a, ok := m.byName[name]
	return a, ok
}

// Resolve finds the file a request path under /static/ names, plain or
// fingerprinted: "js/seatmap.js" or "js/seatmap.3f2a9c1e.js". current tells
// whether a fingerprint was given and is the file's current one (then the
// response may be cached for good); an old or unknown fingerprint still
// resolves to the file of that name, to be cached briefly.
func (m *Manifest) Resolve(name string) (a *Asset, current bool, ok bool) {
	if a, ok := m.byName[name]; ok {
		return a, false, true
	}
	plain, hash, hashed := SplitHash(name)
	if !hashed {
		return nil, false, false
	}
	a, ok = m.byName[plain]
	if !ok {
		return nil, false, false
	}
	return a, a.Hash == hash, true
}

// Path is the URL path of the named file, fingerprinted:
// Path("js/seatmap.js") = "/static/js/seatmap.3f2a9c1e.js". A name that is
// not an embedded file keeps its plain path.
func (m *Manifest) Path(name string) string {
	name = strings.TrimPrefix(name, "/static/")
	if a, ok := m.byName[name]; ok {
		return "/static/" + a.HashedName()
	}
	return "/static/" + name
}

// WithHash inserts hash before the name's extension: "a/b.min.js" → "a/b.min.HASH.js".
func WithHash(name, hash string) string {
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hash + ext
}

// SplitHash undoes WithHash: "a/b.min.3f2a9c1e.js" → "a/b.min.js", "3f2a9c1e".
func SplitHash(name string) (plain, hash string, ok bool) {
	ext := path.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	i := strings.LastIndexByte(stem, '.')
	if i < 0 || len(stem)-i-1 != HashLen {
		return "", "", false
	}
	hash = stem[i+1:]
	for j := 0; j < len(hash); j++ {
		if c := hash[j]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return "", "", false
		}
	}
	return stem[:i] + ext, hash, true
}

// Names lists the embedded files' names, sorted.
func (m *Manifest) Names() []string {
	names := make([]string, 0, len(m.byName))
	for n := range m.byName {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
