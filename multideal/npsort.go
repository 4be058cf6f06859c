package multideal

import "math/bits"

// npArgsort returns numpy's np.argsort(v) (kind "quicksort", NumPy 1.24's
// npy_aquicksort for float64: an introsort with median-of-3 partitions,
// insertion sort for 16 elements or fewer, heapsort past a depth limit).
// It is not stable: equal values come out in the order this algorithm
// leaves them, which anl2025's inverse utility functions depend on.
func npArgsort(v []float64) []int {
	num := len(v)
	tosort := make([]int, num)
	for i := range tosort {
		tosort[i] = i
	}
	if num < 2 {
		return tosort
	}
	less := func(a, b float64) bool { return a < b || (b != b && a == a) }
	const smallQuicksort = 15
	type frame struct{ pl, pr, depth int }
	var stack []frame
	pl, pr := 0, num-1
	cdepth := (bits.Len(uint(num)) - 1) * 2
	for {
		if cdepth < 0 {
			npAHeapsort(v, tosort[pl:pr+1], less)
			goto pop
		}
		for pr-pl > smallQuicksort {
			pm := pl + (pr-pl)>>1
			if less(v[tosort[pm]], v[tosort[pl]]) {
				tosort[pm], tosort[pl] = tosort[pl], tosort[pm]
			}
			if less(v[tosort[pr]], v[tosort[pm]]) {
				tosort[pr], tosort[pm] = tosort[pm], tosort[pr]
			}
			if less(v[tosort[pm]], v[tosort[pl]]) {
				tosort[pm], tosort[pl] = tosort[pl], tosort[pm]
			}
			vp := v[tosort[pm]]
			pi, pj := pl, pr-1
			tosort[pm], tosort[pj] = tosort[pj], tosort[pm]
			for {
				for pi++; less(v[tosort[pi]], vp); pi++ {
				}
				for pj--; less(vp, v[tosort[pj]]); pj-- {
				}
				if pi >= pj {
					break
				}
				tosort[pi], tosort[pj] = tosort[pj], tosort[pi]
			}
			pk := pr - 1
			tosort[pi], tosort[pk] = tosort[pk], tosort[pi]
			cdepth--
			if pi-pl < pr-pi {
				stack = append(stack, frame{pi + 1, pr, cdepth})
				pr = pi - 1
			} else {
				stack = append(stack, frame{pl, pi - 1, cdepth})
				pl = pi + 1
			}
		}
		for pi := pl + 1; pi <= pr; pi++ {
			vi := tosort[pi]
			vp := v[vi]
			pj, pk := pi, pi-1
			for pj > pl && less(vp, v[tosort[pk]]) {
				tosort[pj] = tosort[pk]
				pj--
				pk--
			}
			tosort[pj] = vi
		}
	pop:
		if len(stack) == 0 {
			break
		}
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		pl, pr, cdepth = f.pl, f.pr, f.depth
	}
	return tosort
}

// npAHeapsort is numpy's aheapsort_ over tosort (1-based heap).
func npAHeapsort(v []float64, tosort []int, less func(a, b float64) bool) {
	n := len(tosort)
	a := func(i int) *int { return &tosort[i-1] }
	var i, j, l, tmp int
	for l = n >> 1; l > 0; l-- {
		tmp = *a(l)
		for i, j = l, l<<1; j <= n; {
			if j < n && less(v[*a(j)], v[*a(j + 1)]) {
				j++
			}
			if less(v[tmp], v[*a(j)]) {
				*a(i) = *a(j)
				i = j
				j += j
			} else {
				break
			}
		}
		*a(i) = tmp
	}
	for n > 1 {
		tmp = *a(n)
		*a(n) = *a(1)
		n--
		for i, j = 1, 2; j <= n; {
			if j < n && less(v[*a(j)], v[*a(j + 1)]) {
				j++
			}
			if less(v[tmp], v[*a(j)]) {
				*a(i) = *a(j)
				i = j
				j += j
			} else {
				break
			}
		}
		*a(i) = tmp
	}
}
