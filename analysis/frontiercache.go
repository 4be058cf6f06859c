package analysis

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/parley-negotiation/parley/framework"
)

// Distances are GENIUS's measures of an outcome for the negotiating
// parties, in their utility space (Euclidean).
type Distances struct {
	// Pareto is the distance to the nearest point of the exact Pareto
	// frontier.
	Pareto float64
	// Nash is the distance to the Nash point: the textbook one
	// (individually rational), or GENIUS's variant only where no frontier
	// point is individually rational (they coincide when the reservation
	// values are 0, as in GENIUS's own runs). HasNash is false when
	// neither exists.
	Nash    float64
	HasNash bool
}

// OutcomeDistances measures the utilities u of an outcome against fr, the
// exact Pareto frontier of space (FrontierAdditive without
// options): GENIUS's measures of a session's outcome.
func OutcomeDistances(fr *Frontier, space *Space, u []float64) Distances {
	d := Distances{Pareto: DistanceToFrontier(u, fr)}
	nash, ok := NashPoint(fr, space.Reservation)
	if !ok {
		nash, ok = NashPointGENIUS(fr, space.Reservation)
	}
	if ok {
		d.Nash, d.HasNash = Distance(u, nash.Point.U), true
	}
	return d
}

// FrontierCache keeps the exact Pareto frontiers of spaces in files, so that a command run again on the same profiles (another
// session of the scenario, other agents) measures its outcome without
// recomputing a frontier that can take seconds. A file is named by the
// SHA-256 of everything the frontier depends on (the points' option
// counts, every party's utility contributions and interactions, bit for
// bit) and ends
// with the SHA-256 of its contents; a file that does not check out, or
// whose points' utilities are not exactly those of their witness
// packages, is ignored and the frontier recomputed. The cache only saves
// time: the frontier it returns is the one FrontierAdditive computes.
type FrontierCache struct {
	// Dir holds the files; "" disables the cache.
	Dir string
	// MinCost: frontiers computed faster than this are not stored (small
	// domains are cheaper to recompute than to read).
	MinCost time.Duration
}

// cacheMagic heads every cache file (and names its format).
const cacheMagic = "parley/frontier-cache/v1\n"

// key is the name of space's frontier file.
func (c FrontierCache) key(space *Space) string {
	h := sha256.New()
	h.Write([]byte(cacheMagic))
	var b [8]byte
	put := func(x uint64) {
		binary.LittleEndian.PutUint64(b[:], x)
		h.Write(b[:])
	}
	radix := space.Framework.Radix()
	put(uint64(len(radix)))
	for _, r := range radix {
		put(uint64(r))
	}
	put(uint64(len(space.Tables)))
	for _, t := range space.Tables {
		for _, c := range t.Contrib {
			for _, x := range c {
				put(math.Float64bits(x))
			}
		}
	}
	// The interactions, when there are any (an additive space's key is
	// unchanged, and the contributions above have a length fixed by the
	// radix, so no additive space shares a non-additive one's key): per
	// party, each effect in the order Utility adds them, with its value,
	// side and terms (point and matching levels).
	for j, t := range space.Tables {
		if t.Additive() {
			continue
		}
		put(uint64(j))
		put(uint64(len(t.Effects)))
		for _, e := range t.Effects {
			put(math.Float64bits(e.Value))
			put(uint64(e.Last))
			if e.Outside {
				put(1)
			} else {
				put(0)
			}
			put(uint64(len(e.Terms)))
			for _, tm := range e.Terms {
				put(uint64(tm.Point))
				put(uint64(len(tm.In)))
				for l, in := range tm.In {
					if in {
						put(uint64(l))
					}
				}
				put(math.MaxUint64)
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)) + ".frontier"
}

// Frontier returns space's exact Pareto frontier (FrontierAdditive
// without options, stopped when ctx is done), from the cache when it holds
// it (cached true), and stores a computed one that took at least MinCost.
// A cache that cannot be read or written is ignored.
func (c FrontierCache) Frontier(ctx context.Context, space *Space) (fr *Frontier, cached bool, err error) {
	var path string
	if c.Dir != "" {
		path = filepath.Join(c.Dir, c.key(space))
		if fr, err := readFrontier(path, space); err == nil {
			return fr, true, nil
		}
	}
	start := time.Now()
	fr, err = FrontierAdditiveContext(ctx, space, FrontierOptions{})
	if err != nil {
		return nil, false, err
	}
	if path != "" && time.Since(start) >= c.MinCost {
		_ = writeFrontier(path, space, fr) // only a saving of time
	}
	return fr, false, nil
}

// errCache is a cache file that does not hold the space's frontier.
var errCache = errors.New("analysis: not a frontier of this space")

func writeFrontier(path string, space *Space, fr *Frontier) error {
	// Utilities as raw float64 bits; the method's length, the sizes,
	// witness levels and counts as uvarints.
	b := []byte(cacheMagic)
	b = binary.AppendUvarint(b, uint64(len(fr.Method)))
	b = append(b, fr.Method...)
	b = binary.AppendUvarint(b, uint64(space.N()))
	b = binary.AppendUvarint(b, uint64(len(space.Framework.Points)))
	b = binary.AppendUvarint(b, uint64(len(fr.Points)))
	for _, p := range fr.Points {
		for _, x := range p.U {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
		}
		for _, l := range p.Witness {
			b = binary.AppendUvarint(b, uint64(l))
		}
		b = binary.AppendUvarint(b, p.Count)
	}
	buf := bytes.NewBuffer(b)
	sum := sha256.Sum256(buf.Bytes())
	buf.Write(sum[:])
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil { // utilities derived from private profiles: the user's only
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".frontier-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	// Atomic: a concurrent reader sees the old file, the new one or none.
	return os.Rename(tmp.Name(), path)
}

func readFrontier(path string, space *Space) (*Frontier, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < len(cacheMagic)+sha256.Size || string(b[:len(cacheMagic)]) != cacheMagic {
		return nil, errCache
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if s := sha256.Sum256(body); !bytes.Equal(s[:], sum) {
		return nil, errCache
	}
	r := body[len(cacheMagic):]
	bad := false
	uv := func() uint64 {
		x, n := binary.Uvarint(r)
		if n <= 0 {
			bad = true
			return 0
		}
		r = r[n:]
		return x
	}
	ml := uv()
	if bad || ml > uint64(len(r)) {
		return nil, errCache
	}
	fr := &Frontier{Method: string(r[:ml])}
	r = r[ml:]
	d, n, count := uv(), uv(), uv()
	radix := space.Framework.Radix()
	if bad || d != uint64(space.N()) || n != uint64(len(radix)) || count > uint64(len(r))/(8*d+n+1) {
		return nil, errCache
	}
	fr.Points = make([]Point, 0, count)
	for range count {
		if uint64(len(r)) < 8*d {
			return nil, errCache
		}
		p := Point{U: make([]float64, d), Witness: make(framework.Package, n)}
		for j := range p.U {
			p.U[j] = math.Float64frombits(binary.LittleEndian.Uint64(r))
			r = r[8:]
		}
		for k := range p.Witness {
			if l := uv(); l < uint64(radix[k]) {
				p.Witness[k] = int(l)
			} else {
				bad = true
			}
		}
		p.Count = uv()
		if bad {
			return nil, errCache
		}
		// Every point is reached by its witness, exactly.
		for j, t := range space.Tables {
			if t.Utility(p.Witness) != p.U[j] {
				return nil, errCache
			}
		}
		fr.Points = append(fr.Points, p)
	}
	if len(r) != 0 {
		return nil, errCache
	}
	return fr, nil
}

// PendingFrontier is a frontier being computed (or read from a cache) in
// the background while a session runs.
type PendingFrontier struct {
	done   chan struct{}
	fr     *Frontier
	cached bool
	err    error
}

// StartFrontier starts computing space's exact Pareto frontier through
// cache in a goroutine of its own: the outcome of a session needs it only
// at the end, so it is computed while the agents prepare and negotiate.
func StartFrontier(ctx context.Context, space *Space, cache FrontierCache) *PendingFrontier {
	p := &PendingFrontier{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.fr, p.cached, p.err = cache.Frontier(ctx, space)
	}()
	return p
}

// Wait returns the frontier once it is ready, and whether it came from
// the cache.
func (p *PendingFrontier) Wait() (*Frontier, bool, error) {
	<-p.done
	if p.err != nil {
		return nil, false, fmt.Errorf("analysis: Pareto frontier: %w", p.err)
	}
	return p.fr, p.cached, nil
}
