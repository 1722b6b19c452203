// Command boltbench measures Go's bbolt 1.3.6 the way `bbolt bench` does, so that
// strata-bptree's `examples/bench.rs` (the same flags, keys and output on strata) can be
// compared with it on the same machine. Debian's bbolt package ships the library but not the
// `bbolt` command, hence this program. `cargo xtask bptree-vs-bbolt` runs both.
//
// Build it offline in GOPATH mode from the repository root:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=0 \
//	    go build -o target/boltbench ./chapters/04-bptree/interop/boltbench
//
// One run writes -count keys in transactions of -batch-size puts (one db.Update each), then
// reads them back in a single read transaction, again and again for at least a second, and
// prints one line for each phase (tab-separated; from one run of -count 20000 -batch-size 5000
// -write-mode rnd -read-mode rnd on a two-CPU machine):
//
//	# Write	20000(ops)	96.240087ms	(4.812µs/op)	(207813 op/sec)
//	# Read	660000(ops)	1.00540876s	(1.523µs/op)	(656598 op/sec)
//
// Keys are -key-size bytes whose first four hold a big-endian uint32 (the rest are zero), as
// bbolt bench makes them: 1, 2, 3... for the seq modes, random for the rnd modes. Values are
// -value-size zero bytes. The nested modes give each transaction a sub-bucket of the "bench"
// bucket, named by the next key from the same source, and put that transaction's keys in it.
//
// Two differences from bbolt bench, so that both implementations see the same work: the random
// keys come from a splitmix64 generator seeded by -seed (bbolt bench seeds math/rand from the
// clock), and the random-read order is a Fisher-Yates shuffle by the same generator. The
// profiling flags are left out. Errors go to stderr with exit status 1 (64 for bad usage).
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

const usage = `usage: boltbench [flags]

flags (as bbolt bench's):
  -write-mode seq|rnd|seq-nest|rnd-nest   how keys are made and where they go (default seq)
  -read-mode seq|rnd                      cursor over every key, or Get each in random order (default seq)
  -count N                                keys to write (default 1000)
  -batch-size N                           puts per transaction; must divide -count (default: -count)
  -key-size N                             key bytes, at least 4 (default 8)
  -value-size N                           value bytes (default 32)
  -fill-percent F                         the buckets' fill percent (default 0.5)
  -no-sync                                skip the syncs at commit
  -path FILE                              the database file (default: a new file in the temp dir)
  -work                                   keep the file and print its path
  -seed N                                 seed of the random keys (default 1)
`

var benchBucket = []byte("bench")

type options struct {
	writeMode   string
	readMode    string
	count       int
	batchSize   int
	keySize     int
	valueSize   int
	fillPercent float64
	noSync      bool
	path        string
	work        bool
	seed        uint64
}

// results of one phase: how many operations it did and how long they took.
type results struct {
	ops      int
	duration time.Duration
}

// line prints a phase as bbolt bench does: count, total time, time per op, ops per second.
func (r results) line(name string) string {
	var perOp time.Duration
	var perSecond int64
	if r.ops > 0 {
		perOp = r.duration / time.Duration(r.ops)
	}
	if perOp > 0 {
		perSecond = int64(time.Second) / int64(perOp)
	}
	return fmt.Sprintf("# %s\t%d(ops)\t%v\t(%v/op)\t(%d op/sec)", name, r.ops, r.duration, perOp, perSecond)
}

// splitmix64 is the random key source (and shuffle) shared with the Rust side.
type splitmix64 struct{ state uint64 }

func (s *splitmix64) next() uint64 {
	s.state += 0x9e3779b97f4a7c15
	z := s.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// uint32 is the high half of the next output.
func (s *splitmix64) uint32() uint32 { return uint32(s.next() >> 32) }

// below returns a number in [0, n), n > 0 (modulo bias is irrelevant here).
func (s *splitmix64) below(n int) int { return int(s.next() % uint64(n)) }

// nestedKey is where a key went: its sub-bucket (nil for the flat modes) and the key.
type nestedKey struct{ bucket, key []byte }

func main() {
	opts, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "boltbench: %v\n%s", err, usage)
		os.Exit(64)
	}
	if err := run(opts); err != nil {
		fmt.Fprintf(os.Stderr, "boltbench: %v\n", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (*options, error) {
	var o options
	fs := flag.NewFlagSet("boltbench", flag.ContinueOnError)
	fs.Usage = func() {}
	fs.StringVar(&o.writeMode, "write-mode", "seq", "")
	fs.StringVar(&o.readMode, "read-mode", "seq", "")
	fs.IntVar(&o.count, "count", 1000, "")
	fs.IntVar(&o.batchSize, "batch-size", 0, "")
	fs.IntVar(&o.keySize, "key-size", 8, "")
	fs.IntVar(&o.valueSize, "value-size", 32, "")
	fs.Float64Var(&o.fillPercent, "fill-percent", bolt.DefaultFillPercent, "")
	fs.BoolVar(&o.noSync, "no-sync", false, "")
	fs.StringVar(&o.path, "path", "", "")
	fs.BoolVar(&o.work, "work", false, "")
	fs.Uint64Var(&o.seed, "seed", 1, "")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() != 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch o.writeMode {
	case "seq", "rnd", "seq-nest", "rnd-nest":
	default:
		return nil, fmt.Errorf("invalid write mode: %s", o.writeMode)
	}
	switch o.readMode {
	case "seq", "rnd":
	default:
		return nil, fmt.Errorf("invalid read mode: %s", o.readMode)
	}
	if o.count <= 0 || o.batchSize < 0 || o.valueSize < 0 {
		return nil, errors.New("-count must be positive, -batch-size and -value-size not negative")
	}
	if o.keySize < 4 {
		return nil, errors.New("-key-size must be at least 4 (a uint32 is written into each key)")
	}
	if o.batchSize == 0 {
		o.batchSize = o.count
	} else if o.count%o.batchSize != 0 {
		return nil, errors.New("number of iterations must be divisible by the batch size")
	}
	if o.path == "" {
		o.path = filepath.Join(os.TempDir(), fmt.Sprintf("boltbench-%d.db", os.Getpid()))
	}
	return &o, nil
}

func run(o *options) error {
	if o.work {
		fmt.Fprintf(os.Stderr, "work: %s\n", o.path)
	} else {
		defer os.Remove(o.path)
	}
	db, err := bolt.Open(o.path, 0o600, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	db.NoSync = o.noSync

	rng := &splitmix64{state: o.seed}
	write, keys, err := runWrites(db, o, rng)
	if err != nil {
		return fmt.Errorf("write: %v", err)
	}
	for i := len(keys) - 1; i > 0; i-- {
		j := rng.below(i + 1)
		keys[i], keys[j] = keys[j], keys[i]
	}
	read, err := runReads(db, o, keys)
	if err != nil {
		return fmt.Errorf("read: %v", err)
	}
	fmt.Println(write.line("Write"))
	fmt.Println(read.line("Read"))
	return nil
}

// runWrites writes every key, one transaction per batch. It returns the keys written when the
// reads will look them up (-read-mode rnd), in the order written.
func runWrites(db *bolt.DB, o *options, rng *splitmix64) (results, []nestedKey, error) {
	var counter uint32
	source := func() uint32 { counter++; return counter }
	if o.writeMode == "rnd" || o.writeMode == "rnd-nest" {
		source = rng.uint32
	}
	nested := o.writeMode == "seq-nest" || o.writeMode == "rnd-nest"
	var keys []nestedKey
	if o.readMode == "rnd" {
		keys = make([]nestedKey, 0, o.count)
	}

	start := time.Now()
	for i := 0; i < o.count; i += o.batchSize {
		err := db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(benchBucket)
			if err != nil {
				return err
			}
			b.FillPercent = o.fillPercent
			var name []byte
			if nested {
				name = make([]byte, o.keySize)
				binary.BigEndian.PutUint32(name, source())
				if b, err = b.CreateBucketIfNotExists(name); err != nil {
					return err
				}
				b.FillPercent = o.fillPercent
			}
			for j := 0; j < o.batchSize; j++ {
				key := make([]byte, o.keySize)
				value := make([]byte, o.valueSize)
				binary.BigEndian.PutUint32(key, source())
				if err := b.Put(key, value); err != nil {
					return err
				}
				if keys != nil {
					keys = append(keys, nestedKey{name, key})
				}
			}
			return nil
		})
		if err != nil {
			return results{}, nil, err
		}
	}
	return results{ops: o.count, duration: time.Since(start)}, keys, nil
}

var errInvalidValue = errors.New("invalid value")

// runReads reads in one read transaction, repeating the whole pass until a second has gone by.
// readWindows is how many read windows of at least a second run; the fastest is reported.
// One-second runs on a shared machine vary by a fifth; examples/bench.rs does the same.
const readWindows = 3

// runReads reads in readWindows windows and reports the fastest.
func runReads(db *bolt.DB, o *options, keys []nestedKey) (results, error) {
	var best results
	for i := 0; i < readWindows; i++ {
		r, err := readWindow(db, o, keys)
		if err != nil {
			return r, err
		}
		if i == 0 || float64(r.ops)/r.duration.Seconds() > float64(best.ops)/best.duration.Seconds() {
			best = r
		}
	}
	return best, nil
}

// readWindow reads every key, pass after pass in one read transaction, for at least a second.
func readWindow(db *bolt.DB, o *options, keys []nestedKey) (results, error) {
	var r results
	start := time.Now()
	err := db.View(func(tx *bolt.Tx) error {
		top := tx.Bucket(benchBucket)
		if top == nil {
			return errors.New("no bench bucket")
		}
		nested := o.writeMode == "seq-nest" || o.writeMode == "rnd-nest"
		for {
			n := 0
			switch {
			case o.readMode == "rnd" && nested:
				for _, k := range keys {
					b := top.Bucket(k.bucket)
					if b == nil {
						return fmt.Errorf("no bucket %x", k.bucket)
					}
					if b.Get(k.key) == nil {
						return errInvalidValue
					}
					n++
				}
			case o.readMode == "rnd":
				for _, k := range keys {
					if top.Get(k.key) == nil {
						return errInvalidValue
					}
					n++
				}
			case nested:
				err := top.ForEach(func(name, _ []byte) error {
					c := top.Bucket(name).Cursor()
					for k, v := c.First(); k != nil; k, v = c.Next() {
						if v == nil {
							return errInvalidValue
						}
						n++
					}
					return nil
				})
				if err != nil {
					return err
				}
			default:
				c := top.Cursor()
				for k, v := c.First(); k != nil; k, v = c.Next() {
					if v == nil {
						return errInvalidValue
					}
					n++
				}
			}
			// Sequential keys never collide, so every key must have been read.
			if (o.writeMode == "seq" || o.writeMode == "seq-nest") && n != o.count {
				return fmt.Errorf("iter mismatch: expected %d, got %d", o.count, n)
			}
			r.ops += n
			if time.Since(start) >= time.Second {
				return nil
			}
		}
	})
	r.duration = time.Since(start)
	return r, err
}
