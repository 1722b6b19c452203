// Command boltdriver drives Go's bbolt 1.3.6 (Debian's golang-github-coreos-bbolt-dev) for
// strata-bptree's interop tests: it writes named scenarios, dumps a file's logical content,
// checks a file's consistency and applies lists of operations. See ../README.md.
//
// Build it offline in GOPATH mode from the repository root:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off \
//	    go build -o target/boltdriver ./chapters/04-bptree/interop/boltdriver
//
// Errors go to stderr with a non-zero exit status (1 for a reported failure, 64 for bad usage;
// a Go panic exits with 2); stdout carries only data.
package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

const usage = `usage: boltdriver [-lock-timeout DURATION] COMMAND ARGS...

commands:
  scenarios               list the scenario names, one a line
  scenario FILE NAME      write scenario NAME into FILE, which must not exist
  dump FILE               print FILE's logical content (read-only open)
  create FILE PAGESIZE    create an empty database with that page size, then close it
  check FILE              run bbolt's tx.Check and a lookup walk (read-only open); print ok
  apply FILE OPSFILE      open FILE read-write and apply the operations in OPSFILE
`

// Exit statuses.
const (
	exitFailure = 1
	exitUsage   = 64
)

// seed makes every scenario write the same keys and values on every run.
const seed = 0x5354524154410004 // "STRATA\0\4"

// lockTimeout bounds the wait for bbolt's flock, so a file locked by another process makes a
// command fail instead of hanging.
var lockTimeout = flag.Duration("lock-timeout", 10*time.Second, "how long to wait for the file lock")

func main() {
	flag.Usage = func() { fmt.Fprint(os.Stderr, usage) }
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 {
		usageError("no command")
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "scenarios":
		wantArgs(cmd, rest, 0)
		for _, s := range scenarios {
			fmt.Println(s.name)
		}
	case "scenario":
		wantArgs(cmd, rest, 2)
		err = writeScenario(rest[0], rest[1])
	case "create":
		wantArgs(cmd, rest, 2)
		err = create(rest[0], rest[1])
	case "dump":
		wantArgs(cmd, rest, 1)
		err = dump(rest[0])
	case "check":
		wantArgs(cmd, rest, 1)
		err = check(rest[0])
	case "apply":
		wantArgs(cmd, rest, 2)
		err = apply(rest[0], rest[1])
	default:
		usageError("unknown command " + strconv.Quote(cmd))
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "boltdriver %s: %v\n", args[0], err)
		os.Exit(exitFailure)
	}
}

func wantArgs(cmd string, args []string, n int) {
	if len(args) != n {
		usageError(fmt.Sprintf("%s takes %d arguments, got %d", cmd, n, len(args)))
	}
}

func usageError(msg string) {
	fmt.Fprintf(os.Stderr, "boltdriver: %s\n%s", msg, usage)
	os.Exit(exitUsage)
}

// openReadOnly opens an existing file with a shared lock and O_RDONLY: bbolt neither writes
// it nor loads (or rebuilds) its freelist.
func openReadOnly(path string) (*bolt.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err // bbolt would create a missing file even when read-only
	}
	return bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: *lockTimeout})
}

// ---------------------------------------------------------------------------------------------
// dump

// dump prints every bucket, sequence, key and value of the file depth-first in cursor (key)
// order. For each element of a bucket:
//
//	B <depth> <hexname> <sequence>   a sub-bucket, followed by its contents at depth+1
//	K <depth> <hexkey> <hexvalue>    a key and its value
//
// Top-level buckets are depth 0. Hex is lowercase; the empty string is "-".
func dump(path string) error {
	db, err := openReadOnly(path)
	if err != nil {
		return err
	}
	defer db.Close()
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	err = db.View(func(tx *bolt.Tx) error {
		// The root bucket: tx.Bucket(name) is root.Bucket(name).
		return dumpBucket(out, tx.Cursor().Bucket(), 0)
	})
	if err != nil {
		return err
	}
	return out.Flush()
}

// dumpBucket prints the elements of b at depth, and its sub-buckets' below them.
func dumpBucket(out *bufio.Writer, b *bolt.Bucket, depth int) error {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		// A cursor returns a nil value for a sub-bucket; an empty value is not nil, but check
		// with a lookup rather than rely on it.
		if v == nil {
			if child := b.Bucket(k); child != nil {
				fmt.Fprintf(out, "B %d %s %d\n", depth, hexOf(k), child.Sequence())
				if err := dumpBucket(out, child, depth+1); err != nil {
					return err
				}
				continue
			}
		}
		fmt.Fprintf(out, "K %d %s %s\n", depth, hexOf(k), hexOf(v))
	}
	return nil
}

func hexOf(b []byte) string {
	if len(b) == 0 {
		return "-"
	}
	return hex.EncodeToString(b)
}

func unhex(s string) ([]byte, error) {
	if s == "-" {
		return []byte{}, nil
	}
	b, err := hex.DecodeString(s)
	if err == nil && len(b) == 0 {
		return nil, errors.New("empty hex: write the empty string as -")
	}
	return b, err
}

// ---------------------------------------------------------------------------------------------
// check

// check walks every bucket through bbolt's public API and then runs bbolt's own consistency
// check, tx.Check (every page below the high-water mark is reachable exactly once or free,
// never both; page types; double frees). The walk checks what tx.Check does not, and what Go
// relies on when it modifies a file: keys come out of a cursor strictly ascending, and every key
// is found again by Get, Bucket and Seek, which descend through the branch pages' separator
// keys. bbolt panics on some malformed pages; the walk recovers and reports that, and then
// tx.Check is skipped, because it runs in its own goroutine where a panic cannot be recovered.
func check(path string) error {
	db, err := openReadOnly(path)
	if err != nil {
		return err
	}
	defer db.Close()
	const shown = 50
	var problems int
	report := func(err error) {
		problems++
		if problems <= shown {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	err = db.View(func(tx *bolt.Tx) error {
		if panicked := walk(tx.Cursor().Bucket(), "root", report); panicked {
			report(errors.New("tx.Check skipped: bbolt panicked reading the file"))
			return nil
		}
		for err := range tx.Check() {
			report(err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if problems > shown {
		fmt.Fprintf(os.Stderr, "... and %d more\n", problems-shown)
	}
	if problems > 0 {
		return fmt.Errorf("%s: %d problems", path, problems)
	}
	fmt.Println("ok")
	return nil
}

// walk checks one bucket's elements (see check) and its sub-buckets'. It reports whether bbolt
// panicked anywhere below b.
func walk(b *bolt.Bucket, where string, report func(error)) (panicked bool) {
	defer func() {
		if p := recover(); p != nil {
			report(fmt.Errorf("%s: bbolt panicked while reading: %v", where, p))
			panicked = true
		}
	}()
	var prev []byte
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		at := fmt.Sprintf("%s: key %s", where, short(k))
		if prev != nil && bytes.Compare(prev, k) >= 0 {
			report(fmt.Errorf("%s: not above the previous key %s", at, short(prev)))
		}
		prev = append(prev[:0], k...)
		if len(k) == 0 {
			report(fmt.Errorf("%s: empty key", at))
		}
		child := b.Bucket(k)
		if v == nil && child != nil {
			panicked = walk(child, where+"/"+short(k), report) || panicked
		} else if child != nil {
			report(fmt.Errorf("%s: the cursor returns a value but Bucket finds a bucket", at))
		} else if got := b.Get(k); !bytes.Equal(got, v) || got == nil {
			report(fmt.Errorf("%s: Get returns %s, the cursor %s", at, short(got), short(v)))
		}
		if sk, _ := b.Cursor().Seek(k); !bytes.Equal(sk, k) {
			report(fmt.Errorf("%s: Seek finds %s", at, short(sk)))
		}
	}
	return panicked
}

// short is a key or value in hex, cut to 40 digits, for messages.
func short(b []byte) string {
	if b == nil {
		return "nil"
	}
	if len(b) > 20 {
		return fmt.Sprintf("%s...(%d bytes)", hex.EncodeToString(b[:20]), len(b))
	}
	return hexOf(b)
}

// ---------------------------------------------------------------------------------------------
// apply

// An op is one line of an ops file.
type op struct {
	line  int
	kind  string
	path  [][]byte // bucket names, outermost first
	key   []byte
	value []byte
	n     uint64
}

// apply parses the whole ops file first (so a malformed line changes nothing), then opens the
// file read-write with default options and runs each group of ops between `commit` lines as one
// Update. A failing op rolls back its own transaction; earlier ones stay committed.
func apply(path, opsPath string) error {
	groups, err := parseOps(opsPath)
	if err != nil {
		return err
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: *lockTimeout})
	if err != nil {
		return err
	}
	for _, group := range groups {
		err := db.Update(func(tx *bolt.Tx) error {
			for _, o := range group {
				if err := applyOp(tx, o); err != nil {
					return fmt.Errorf("%s line %d (%s): %w", opsPath, o.line, o.kind, err)
				}
			}
			return nil
		})
		if err != nil {
			db.Close()
			return err
		}
	}
	return db.Close()
}

func parseOps(opsPath string) ([][]op, error) {
	f, err := os.Open(opsPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReader(f) // lines can be megabytes of hex
	var groups [][]op
	var current []op
	for line := 1; ; line++ {
		text, readErr := r.ReadString('\n')
		if readErr != nil && readErr != io.EOF {
			return nil, readErr
		}
		fields := strings.Fields(text)
		if len(fields) > 0 && !strings.HasPrefix(fields[0], "#") {
			if fields[0] == "commit" {
				if len(fields) != 1 {
					return nil, fmt.Errorf("%s line %d: commit takes no arguments", opsPath, line)
				}
				groups = append(groups, current) // even an empty one: it still commits
				current = nil
			} else {
				o, err := parseOp(fields)
				if err != nil {
					return nil, fmt.Errorf("%s line %d: %w", opsPath, line, err)
				}
				o.line = line
				current = append(current, o)
			}
		}
		if readErr == io.EOF {
			break
		}
	}
	if len(current) > 0 { // ops after the last commit form one more transaction
		groups = append(groups, current)
	}
	return groups, nil
}

// opArgs is the number of arguments each op takes.
var opArgs = map[string]int{
	"create-bucket": 1, // PATH
	"delete-bucket": 1, // PATH
	"put":           3, // PATH KEY VALUE
	"delete":        2, // PATH KEY
	"next-sequence": 1, // PATH
	"set-sequence":  2, // PATH DECIMAL
}

func parseOp(fields []string) (op, error) {
	o := op{kind: fields[0]}
	n, known := opArgs[o.kind]
	if !known {
		return o, fmt.Errorf("unknown op %q", o.kind)
	}
	if len(fields)-1 != n {
		return o, fmt.Errorf("%s takes %d arguments, got %d", o.kind, n, len(fields)-1)
	}
	for _, part := range strings.Split(fields[1], "/") {
		name, err := unhex(part)
		if err != nil {
			return o, fmt.Errorf("bucket path %q: %w", fields[1], err)
		}
		o.path = append(o.path, name)
	}
	var err error
	switch o.kind {
	case "put":
		if o.key, err = unhex(fields[2]); err == nil {
			o.value, err = unhex(fields[3])
		}
	case "delete":
		o.key, err = unhex(fields[2])
	case "set-sequence":
		o.n, err = strconv.ParseUint(fields[2], 10, 64)
	}
	return o, err
}

func applyOp(tx *bolt.Tx, o op) error {
	if o.kind == "create-bucket" {
		_, err := bucketAt(tx, o.path, true)
		return err
	}
	if o.kind == "delete-bucket" {
		last := len(o.path) - 1
		if last == 0 {
			return tx.DeleteBucket(o.path[0])
		}
		parent, err := bucketAt(tx, o.path[:last], false)
		if err != nil {
			return err
		}
		return parent.DeleteBucket(o.path[last])
	}
	b, err := bucketAt(tx, o.path, false)
	if err != nil {
		return err
	}
	switch o.kind {
	case "put":
		return b.Put(o.key, o.value)
	case "delete":
		return b.Delete(o.key)
	case "next-sequence":
		n, err := b.NextSequence()
		if err == nil {
			fmt.Println(n)
		}
		return err
	case "set-sequence":
		return b.SetSequence(o.n)
	}
	return fmt.Errorf("unknown op %q", o.kind)
}

// bucketAt opens the bucket at path, creating missing ones if create is set.
func bucketAt(tx *bolt.Tx, path [][]byte, create bool) (*bolt.Bucket, error) {
	var b *bolt.Bucket
	for i, name := range path {
		var next *bolt.Bucket
		var err error
		switch {
		case create && i == 0:
			next, err = tx.CreateBucketIfNotExists(name)
		case create:
			next, err = b.CreateBucketIfNotExists(name)
		case i == 0:
			next = tx.Bucket(name)
		default:
			next = b.Bucket(name)
		}
		if err != nil {
			return nil, fmt.Errorf("bucket %s: %w", pathString(path[:i+1]), err)
		}
		if next == nil {
			return nil, fmt.Errorf("no bucket %s", pathString(path[:i+1]))
		}
		b = next
	}
	return b, nil
}

func pathString(path [][]byte) string {
	parts := make([]string, len(path))
	for i, name := range path {
		parts[i] = hexOf(name)
	}
	return strings.Join(parts, "/")
}

// ---------------------------------------------------------------------------------------------
// scenarios

// A scenario writes a file with Go bbolt from the fixed seed and closes it cleanly.
type scenario struct {
	name    string
	options bolt.Options
	write   func(db *bolt.DB, r *rand.Rand) error
	// verify, if set, checks the closed file's bytes: that the scenario exercised what it is for.
	verify func(path string) error
}

var scenarios = []scenario{
	// 4 KiB pages whatever the host's: the book shows this file's pages (an insta snapshot).
	{name: "small", options: bolt.Options{PageSize: 4096}, write: writeSmall},
	{name: "many", write: writeMany},
	{name: "random", write: writeRandom},
	{name: "nested", write: writeNested},
	{name: "overflow", write: writeOverflow},
	{name: "deletes", write: writeDeletes, verify: verifyBigFreelist},
	{name: "sequence", write: writeSequence},
	{name: "pagesize1k", options: bolt.Options{PageSize: 1024}, write: writePageSize(1024)},
	{name: "pagesize16k", options: bolt.Options{PageSize: 16384}, write: writePageSize(16384)},
	{name: "nofreelistsync", options: bolt.Options{NoFreelistSync: true}, write: writeNoFreelistSync,
		verify: verifyNoFreelist},
}

func writeScenario(path, name string) error {
	for _, s := range scenarios {
		if s.name != name {
			continue
		}
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s already exists", path)
		}
		options := s.options
		options.Timeout = *lockTimeout
		db, err := bolt.Open(path, 0o600, &options)
		if err != nil {
			return err
		}
		if err := s.write(db, rand.New(rand.NewSource(seed))); err != nil {
			db.Close()
			return fmt.Errorf("scenario %s: %w", name, err)
		}
		if err := db.Close(); err != nil {
			return err
		}
		if s.verify != nil {
			if err := s.verify(path); err != nil {
				return fmt.Errorf("scenario %s: %w", name, err)
			}
		}
		return nil
	}
	return fmt.Errorf("unknown scenario %q (see `boltdriver scenarios`)", name)
}

// randBytes returns n bytes from r.
func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	r.Read(b)
	return b
}

// u64 is i as an 8-byte big-endian key, as `bbolt bench` writes them: byte order is key order.
func u64(i uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, i)
}

// small: one bucket (inline: it is small) with a few keys, among them an empty value and
// binary bytes.
func writeSmall(db *bolt.DB, r *rand.Rand) error {
	return db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("widgets"))
		if err != nil {
			return err
		}
		for _, kv := range [][2]string{
			{"apple", "red"},
			{"banana", "yellow"},
			{"cherry", ""},
			{"\x00", "\xff\x00\xff"},
			{"\xff\xfe", "last"},
			{"durian", strings.Repeat("smelly ", 10)},
		} {
			if err := b.Put([]byte(kv[0]), []byte(kv[1])); err != nil {
				return err
			}
		}
		return nil
	})
}

// many: one bucket of 50,000 sequential 8-byte keys with random values of 0..600 bytes,
// written like `bbolt bench -write-mode seq` in transactions of 1,000: a tree of several levels.
func writeMany(db *bolt.DB, r *rand.Rand) error {
	const keys, batch = 50_000, 1_000
	for start := 0; start < keys; start += batch {
		err := db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("bench"))
			if err != nil {
				return err
			}
			for i := start; i < start+batch; i++ {
				if err := b.Put(u64(uint64(i)), randBytes(r, r.Intn(601))); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// random: random keys (1..48 bytes) and values (0..1,500 bytes, a few up to 10,000) in random
// order, over 8 transactions that also overwrite and delete earlier keys, in two buckets.
func writeRandom(db *bolt.DB, r *rand.Rand) error {
	names := [][]byte{[]byte("random"), []byte("random-too")}
	type keys struct {
		list  [][]byte
		index map[string]int
	}
	live := []*keys{{index: map[string]int{}}, {index: map[string]int{}}}
	value := func() []byte {
		if r.Intn(50) == 0 {
			return randBytes(r, r.Intn(10_001))
		}
		return randBytes(r, r.Intn(1_501))
	}
	for batch := 0; batch < 8; batch++ {
		err := db.Update(func(tx *bolt.Tx) error {
			for op := 0; op < 1_500; op++ {
				which := r.Intn(len(names))
				b, err := tx.CreateBucketIfNotExists(names[which])
				if err != nil {
					return err
				}
				ks := live[which]
				switch roll := r.Intn(100); {
				case roll < 15 && len(ks.list) > 0: // overwrite
					if err := b.Put(ks.list[r.Intn(len(ks.list))], value()); err != nil {
						return err
					}
				case roll < 30 && len(ks.list) > 0: // delete
					i := r.Intn(len(ks.list))
					k := ks.list[i]
					if err := b.Delete(k); err != nil {
						return err
					}
					last := ks.list[len(ks.list)-1]
					ks.list[i], ks.index[string(last)] = last, i
					ks.list = ks.list[:len(ks.list)-1]
					delete(ks.index, string(k))
				default: // a new random key (short ones may collide: then it is an overwrite)
					k := randBytes(r, 1+r.Intn(48))
					if err := b.Put(k, value()); err != nil {
						return err
					}
					if _, ok := ks.index[string(k)]; !ok {
						ks.index[string(k)] = len(ks.list)
						ks.list = append(ks.list, k)
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// fill puts n keys named prefix-0000... with random values of 0..maxValue bytes into b.
func fill(b *bolt.Bucket, r *rand.Rand, prefix string, n, maxValue int) error {
	for i := 0; i < n; i++ {
		k := []byte(fmt.Sprintf("%s-%04d", prefix, i))
		if err := b.Put(k, randBytes(r, r.Intn(maxValue+1))); err != nil {
			return err
		}
	}
	return nil
}

// nested: buckets three levels deep, keys and sub-buckets mixed in one bucket, inline buckets
// (small, no sub-buckets) beside page-backed ones, an empty bucket, and a second transaction that
// turns a page-backed bucket inline, an inline one page-backed and deletes a bucket tree.
func writeNested(db *bolt.DB, r *rand.Rand) error {
	err := db.Update(func(tx *bolt.Tx) error {
		// "alpha": keys with sub-buckets between them (names sort among the keys).
		alpha, err := tx.CreateBucket([]byte("alpha"))
		if err != nil {
			return err
		}
		if err := fill(alpha, r, "k", 40, 100); err != nil {
			return err
		}
		for i, size := range []int{0, 3, 300} { // empty, inline, page-backed
			child, err := alpha.CreateBucket([]byte(fmt.Sprintf("k-%04d-sub", i*15)))
			if err != nil {
				return err
			}
			if err := fill(child, r, "c", size, 60); err != nil {
				return err
			}
			for j := 0; j < i; j++ { // third level: inline, then page-backed
				grandchild, err := child.CreateBucket([]byte(fmt.Sprintf("c-%04d-sub", j*2)))
				if err != nil {
					return err
				}
				if err := fill(grandchild, r, "g", 4+200*j, 80); err != nil {
					return err
				}
			}
		}
		// "beta": page-backed, 300 small inline sub-buckets between 300 keys.
		beta, err := tx.CreateBucket([]byte("beta"))
		if err != nil {
			return err
		}
		for i := 0; i < 300; i++ {
			if err := beta.Put([]byte(fmt.Sprintf("b-%04d", i)), randBytes(r, r.Intn(40))); err != nil {
				return err
			}
			child, err := beta.CreateBucket([]byte(fmt.Sprintf("b-%04d-sub", i)))
			if err != nil {
				return err
			}
			if err := fill(child, r, "x", i%5, 20); err != nil {
				return err
			}
		}
		// "gamma": inline, keys only. "delta": a bucket tree the next transaction deletes.
		gamma, err := tx.CreateBucket([]byte("gamma"))
		if err != nil {
			return err
		}
		if err := fill(gamma, r, "y", 5, 30); err != nil {
			return err
		}
		delta, err := tx.CreateBucket([]byte("delta"))
		if err != nil {
			return err
		}
		if err := fill(delta, r, "d", 200, 100); err != nil {
			return err
		}
		child, err := delta.CreateBucket([]byte("d-sub"))
		if err != nil {
			return err
		}
		return fill(child, r, "e", 100, 100)
	})
	if err != nil {
		return err
	}
	return db.Update(func(tx *bolt.Tx) error {
		alpha := tx.Bucket([]byte("alpha"))
		// The page-backed third-level bucket shrinks to a few keys: it becomes inline.
		shrink := alpha.Bucket([]byte("k-0030-sub")).Bucket([]byte("c-0002-sub"))
		for i := 3; i < 204; i++ {
			if err := shrink.Delete([]byte(fmt.Sprintf("g-%04d", i))); err != nil {
				return err
			}
		}
		// The inline third-level bucket grows past a quarter page: it becomes page-backed.
		grow := alpha.Bucket([]byte("k-0015-sub")).Bucket([]byte("c-0000-sub"))
		if err := fill(grow, r, "h", 50, 100); err != nil {
			return err
		}
		if err := tx.DeleteBucket([]byte("delta")); err != nil {
			return err
		}
		// A fourth top-level bucket, empty.
		_, err := tx.CreateBucket([]byte("epsilon"))
		return err
	})
}

// overflow: values up to 1 MiB and keys up to bbolt's 32,768-byte limit, so leaves span many
// pages; a later transaction shrinks and deletes some of them, freeing multi-page runs.
func writeOverflow(db *bolt.DB, r *rand.Rand) error {
	sizes := []int{4_000, 4_080, 4_097, 8_192, 12_289, 65_536, 300_000, 1 << 20}
	err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("blobs"))
		if err != nil {
			return err
		}
		for i, size := range sizes {
			if err := b.Put([]byte(fmt.Sprintf("big-%02d", i)), randBytes(r, size)); err != nil {
				return err
			}
			// Small values between the big ones share their leaves.
			if err := b.Put([]byte(fmt.Sprintf("big-%02d-small", i)), randBytes(r, 10)); err != nil {
				return err
			}
		}
		if err := b.Put(randBytes(r, bolt.MaxKeySize), []byte("max key")); err != nil {
			return err
		}
		if err := b.Put(randBytes(r, 20_000), randBytes(r, 100_000)); err != nil {
			return err
		}
		nested, err := b.CreateBucket([]byte("nested-blobs"))
		if err != nil {
			return err
		}
		return nested.Put([]byte("one"), randBytes(r, 200_000))
	})
	if err != nil {
		return err
	}
	return db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("blobs"))
		// A 64 KiB value grows to 500,000 bytes and the 300,000-byte one goes; 1 MiB stays.
		if err := b.Put([]byte("big-05"), randBytes(r, 500_000)); err != nil {
			return err
		}
		return b.Delete([]byte("big-06"))
	})
}

// deletes: 200,000 keys with ~600-byte values (2 or 3 a leaf), then a transaction that deletes
// nine in ten of them. It frees almost every page, so the freelist holds more than 65,535 ids
// and its count field is the 0xFFFF marker (checked by verifyBigFreelist).
func writeDeletes(db *bolt.DB, r *rand.Rand) error {
	const keys, batch = 200_000, 50_000
	for start := 0; start < keys; start += batch {
		err := db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("doomed"))
			if err != nil {
				return err
			}
			for i := start; i < start+batch; i++ {
				if err := b.Put(u64(uint64(i)), randBytes(r, 580+r.Intn(101))); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("doomed"))
		for i := 0; i < keys; i++ {
			if r.Intn(10) != 0 {
				if err := b.Delete(u64(uint64(i))); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// sequence: bucket sequences from NextSequence and SetSequence, up to the largest u64, on
// inline, page-backed and nested buckets, over two transactions.
func writeSequence(db *bolt.DB, r *rand.Rand) error {
	err := db.Update(func(tx *bolt.Tx) error {
		counter, err := tx.CreateBucket([]byte("counter"))
		if err != nil {
			return err
		}
		for i := 0; i < 5; i++ {
			n, err := counter.NextSequence()
			if err != nil {
				return err
			}
			if err := counter.Put(u64(n), []byte("item")); err != nil {
				return err
			}
		}
		for name, value := range map[string]uint64{
			"max":  math.MaxUint64,
			"high": 1<<63 + 12345,
			"u32":  1<<32 + 1,
		} {
			b, err := tx.CreateBucket([]byte(name))
			if err != nil {
				return err
			}
			if err := b.SetSequence(value); err != nil {
				return err
			}
		}
		paged, err := tx.CreateBucket([]byte("paged"))
		if err != nil {
			return err
		}
		if err := fill(paged, r, "p", 500, 100); err != nil {
			return err
		}
		if err := paged.SetSequence(0xdeadbeefcafebabe); err != nil {
			return err
		}
		child, err := paged.CreateBucket([]byte("p-child"))
		if err != nil {
			return err
		}
		if err := child.SetSequence(42); err != nil {
			return err
		}
		grandchild, err := child.CreateBucket([]byte("grandchild"))
		if err != nil {
			return err
		}
		_, err = grandchild.NextSequence()
		return err
	})
	if err != nil {
		return err
	}
	return db.Update(func(tx *bolt.Tx) error {
		// Only the sequence changes: the bucket header is rewritten all the same.
		if _, err := tx.Bucket([]byte("counter")).NextSequence(); err != nil {
			return err
		}
		child := tx.Bucket([]byte("paged")).Bucket([]byte("p-child"))
		return child.SetSequence(child.Sequence() * 1000)
	})
}

// writePageSize writes a tree several levels deep for the given page size: 8-byte keys in random
// order with random values, a value larger than a page, and sub-buckets around the inline limit
// (a quarter page).
func writePageSize(pageSize int) func(db *bolt.DB, r *rand.Rand) error {
	return func(db *bolt.DB, r *rand.Rand) error {
		keys, maxValue := 20_000, 200
		if pageSize > 4096 {
			keys, maxValue = 60_000, 300
		}
		order := r.Perm(keys)
		const batches = 4
		for batch := 0; batch < batches; batch++ {
			err := db.Update(func(tx *bolt.Tx) error {
				b, err := tx.CreateBucketIfNotExists([]byte("data"))
				if err != nil {
					return err
				}
				for _, i := range order[batch*keys/batches : (batch+1)*keys/batches] {
					if err := b.Put(u64(uint64(i)), randBytes(r, r.Intn(maxValue+1))); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket([]byte("extra"))
			if err != nil {
				return err
			}
			if err := b.Put([]byte("bigger-than-a-page"), randBytes(r, 3*pageSize+1)); err != nil {
				return err
			}
			// Buckets of one element whose size (16 + 16 + 1 + v) is one below, exactly and one
			// above pageSize/4: the first two are inline, the third page-backed.
			for _, over := range []int{-1, 0, 1} {
				child, err := b.CreateBucket([]byte(fmt.Sprintf("quarter%+d", over)))
				if err != nil {
					return err
				}
				v := pageSize/4 - 16 - 16 - 1 + over
				if err := child.Put([]byte("v"), randBytes(r, v)); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// nofreelistsync: NoFreelistSync, so no freelist page is written (meta.freelist is all ones)
// and readers rebuild the free set; several transactions that free pages.
func writeNoFreelistSync(db *bolt.DB, r *rand.Rand) error {
	for batch := 0; batch < 5; batch++ {
		err := db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("unsynced"))
			if err != nil {
				return err
			}
			for i := 0; i < 2_000; i++ {
				if err := b.Put(u64(uint64(r.Intn(5_000))), randBytes(r, r.Intn(300))); err != nil {
					return err
				}
			}
			for i := 0; i < 300; i++ {
				if err := b.Delete(u64(uint64(r.Intn(5_000)))); err != nil {
					return err
				}
			}
			child, err := b.CreateBucketIfNotExists([]byte("child"))
			if err != nil {
				return err
			}
			return fill(child, r, fmt.Sprintf("batch%d", batch), 50, 100)
		})
		if err != nil {
			return err
		}
	}
	return db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("unsynced")).DeleteBucket([]byte("child"))
	})
}

// ---------------------------------------------------------------------------------------------
// Checks of a scenario's raw bytes

// currentMeta returns the open file, its page size and the freelist page id that the valid meta
// with the larger txid names (fact sheet §3).
func currentMeta(path string) (f *os.File, pageSize uint32, freelist uint64, err error) {
	f, err = os.Open(path)
	if err != nil {
		return nil, 0, 0, err
	}
	le := binary.LittleEndian
	head := make([]byte, 80)
	if _, err := f.ReadAt(head, 0); err != nil {
		f.Close()
		return nil, 0, 0, fmt.Errorf("reading meta page 0: %w", err)
	}
	pageSize = le.Uint32(head[24:])
	var best []byte
	for slot := int64(0); slot < 2; slot++ {
		page := make([]byte, 80)
		if _, err := f.ReadAt(page, slot*int64(pageSize)); err != nil {
			continue
		}
		m := page[16:]
		sum := fnv.New64a()
		sum.Write(m[:56])
		if le.Uint32(m[0:]) != 0xED0CDAED || le.Uint32(m[4:]) != 2 || sum.Sum64() != le.Uint64(m[56:]) {
			continue
		}
		if best == nil || le.Uint64(m[48:]) > le.Uint64(best[48:]) {
			best = m
		}
	}
	if best == nil {
		f.Close()
		return nil, 0, 0, errors.New("no valid meta page")
	}
	return f, pageSize, le.Uint64(best[32:]), nil
}

// verifyBigFreelist checks that the freelist page uses the 0xFFFF count marker (fact sheet §8).
func verifyBigFreelist(path string) error {
	f, pageSize, freelist, err := currentMeta(path)
	if err != nil {
		return err
	}
	defer f.Close()
	header := make([]byte, 24)
	if _, err := f.ReadAt(header, int64(freelist)*int64(pageSize)); err != nil {
		return fmt.Errorf("freelist page %d: %w", freelist, err)
	}
	count := binary.LittleEndian.Uint16(header[10:])
	n := binary.LittleEndian.Uint64(header[16:])
	if count != 0xFFFF || n < 0xFFFF {
		return fmt.Errorf("freelist page %d: count %#x, first u64 %d: the 0xFFFF rule is not exercised",
			freelist, count, n)
	}
	return nil
}

// verifyNoFreelist checks that the meta records no freelist page.
func verifyNoFreelist(path string) error {
	f, _, freelist, err := currentMeta(path)
	if err != nil {
		return err
	}
	f.Close()
	if freelist != math.MaxUint64 {
		return fmt.Errorf("meta names freelist page %d, want none (all ones)", freelist)
	}
	return nil
}

// create makes a new, empty database with the given page size and closes it at once: the file
// then holds exactly what bbolt writes when it initialises a file.
func create(path, pageSize string) error {
	size, err := strconv.Atoi(pageSize)
	if err != nil {
		return fmt.Errorf("page size %q: %v", pageSize, err)
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s already exists", path)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: *lockTimeout, PageSize: size})
	if err != nil {
		return err
	}
	return db.Close()
}
