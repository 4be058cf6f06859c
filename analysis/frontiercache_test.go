package analysis

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestFrontierCache: a frontier stored in the cache is read back equal to
// the computed one (points, witnesses, counts, method); a file that is
// truncated, altered or made for other profiles is not used, and the
// frontier is computed again.
func TestFrontierCache(t *testing.T) {
	for _, c := range []struct {
		name                   string
		points, levels, partys int
	}{{"2p-6x4", 6, 4, 2}, {"3p-7x3", 7, 3, 3}, {"4p-5x3", 5, 3, 4}} {
		t.Run(c.name, func(t *testing.T) {
			space, err := cacheSpace(c.points, c.levels, c.partys, 9)
			if err != nil {
				t.Fatal(err)
			}
			want, err := FrontierAdditive(space, FrontierOptions{})
			if err != nil {
				t.Fatal(err)
			}
			cache := FrontierCache{Dir: t.TempDir()}
			for i, wantCached := range []bool{false, true, true} {
				fr, cached, err := cache.Frontier(context.Background(), space)
				if err != nil {
					t.Fatal(err)
				}
				if cached != wantCached {
					t.Errorf("call %d: cached %v, want %v", i, cached, wantCached)
				}
				if !reflect.DeepEqual(fr, want) {
					t.Fatalf("call %d: frontier differs from FrontierAdditive's", i)
				}
			}
			files, _ := filepath.Glob(filepath.Join(cache.Dir, "*.frontier"))
			if len(files) != 1 {
				t.Fatalf("%d cache files, want 1", len(files))
			}
			good, err := os.ReadFile(files[0])
			if err != nil {
				t.Fatal(err)
			}
			for _, bad := range []struct {
				name string
				b    []byte
			}{
				{"truncated", good[:len(good)/2]},
				{"flipped bit", flip(good, len(good)/2)},
				{"empty", nil},
			} {
				if err := os.WriteFile(files[0], bad.b, 0o644); err != nil {
					t.Fatal(err)
				}
				fr, cached, err := cache.Frontier(context.Background(), space)
				if err != nil || cached || !reflect.DeepEqual(fr, want) {
					t.Errorf("%s file: cached %v, err %v, equal %v", bad.name, cached, err, reflect.DeepEqual(fr, want))
				}
			}
			// Other profiles: another file.
			other, _ := cacheSpace(c.points, c.levels, c.partys, 10)
			if _, cached, _ := cache.Frontier(context.Background(), other); cached {
				t.Error("the frontier of other profiles came from the cache")
			}
		})
	}
}

func flip(b []byte, i int) []byte {
	b = append([]byte(nil), b...)
	b[i] ^= 1
	return b
}

// TestOutcomeDistances: the distances equal those measured directly on the
// frontier (to its nearest point, to the individually rational Nash
// point), and a pending frontier yields FrontierAdditive's.
func TestOutcomeDistances(t *testing.T) {
	space, err := cacheSpace(6, 4, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := FrontierAdditive(space, FrontierOptions{})
	fr, cached, err := StartFrontier(context.Background(), space, FrontierCache{}).Wait()
	if err != nil || cached || !reflect.DeepEqual(fr, want) {
		t.Fatalf("pending frontier: cached %v, err %v, equal %v", cached, err, reflect.DeepEqual(fr, want))
	}
	nash, ok := NashPoint(fr, space.Reservation)
	if !ok {
		t.Fatal("no Nash point")
	}
	for _, u := range [][]float64{{0, 0, 0}, {0.5, 0.5, 0.5}, fr.Points[0].U, nash.Point.U} {
		d := OutcomeDistances(fr, space, u)
		if d.Pareto != DistanceToFrontier(u, fr) || !d.HasNash || d.Nash != Distance(u, nash.Point.U) {
			t.Errorf("u %v: %+v", u, d)
		}
	}
	if d := OutcomeDistances(fr, space, nash.Point.U); d.Pareto != 0 || d.Nash != 0 {
		t.Errorf("at the Nash point: %+v, want 0 and 0", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := StartFrontier(ctx, space, FrontierCache{}).Wait(); err == nil {
		t.Error("a cancelled frontier has no error")
	}
}

// FuzzFrontierCacheFile: whatever a cache file holds, the cache returns the
// exact frontier (read back or recomputed) and never fails or panics.
func FuzzFrontierCacheFile(f *testing.F) {
	space, err := cacheSpace(5, 3, 3, 4)
	if err != nil {
		f.Fatal(err)
	}
	want, err := FrontierAdditive(space, FrontierOptions{})
	if err != nil {
		f.Fatal(err)
	}
	seedDir := f.TempDir()
	if _, _, err := (FrontierCache{Dir: seedDir}).Frontier(context.Background(), space); err != nil {
		f.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(seedDir, "*.frontier"))
	if len(files) != 1 {
		f.Fatalf("%d cache files", len(files))
	}
	good, _ := os.ReadFile(files[0])
	name := filepath.Base(files[0])
	f.Add(good)
	f.Add(good[:len(good)-40])
	f.Add(flip(good, 40))
	f.Add([]byte("parley/frontier-cache/v1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		fr, _, err := (FrontierCache{Dir: dir}).Frontier(context.Background(), space)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fr, want) {
			t.Fatal("the cache returned another frontier")
		}
	})
}

// cacheSpace is a random additive space without red lines for the cache's
// tests.
func cacheSpace(points, levels, parties int, seed uint64) (*Space, error) {
	return randomSpace(rand.New(rand.NewPCG(seed, 5)), points, levels, parties, false), nil
}

// BenchmarkFrontierCache: the exact frontier of a 4-party 14 × 3 domain
// computed (FrontierAdditive) against read back from the cache (the file
// checked and every point's utilities recomputed from its witness).
func BenchmarkFrontierCache(b *testing.B) {
	space, err := cacheSpace(14, 3, 4, 1)
	if err != nil {
		b.Fatal(err)
	}
	cache := FrontierCache{Dir: b.TempDir()}
	fr, _, err := cache.Frontier(context.Background(), space)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d frontier points", len(fr.Points))
	b.Run("compute", func(b *testing.B) {
		for b.Loop() {
			if _, err := FrontierAdditive(space, FrontierOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			if _, cached, err := cache.Frontier(context.Background(), space); err != nil || !cached {
				b.Fatal("not from the cache", err)
			}
		}
	})
}
