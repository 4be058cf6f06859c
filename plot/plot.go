package plot

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// Figure is a picture this package draws: a *UtilitySpace, a *Timeline
// or an *Overlap.
type Figure interface {
	// layout checks the figure and returns its size in points and the
	// function that draws it.
	layout() (w, h float64, draw func(canvas), err error)
}

// Write renders f in the given format, "svg" or "png" (case-insensitive, a
// leading dot is allowed), to w.
func Write(w io.Writer, format string, f Figure) error {
	fm, err := parseFormat(format)
	if err != nil {
		return err
	}
	b, err := render(fm, f)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// WriteFile renders f to path; the format comes from the extension, ".svg"
// or ".png" (case-insensitive). Nothing is written if rendering fails.
func WriteFile(path string, f Figure) error {
	ext := filepath.Ext(path)
	if ext == "" {
		return fmt.Errorf("plot: %s: no file extension; want .svg or .png", path)
	}
	fm, err := parseFormat(ext)
	if err != nil {
		return fmt.Errorf("plot: %s: unsupported extension %q; want .svg or .png", path, ext)
	}
	b, err := render(fm, f)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// InlineSVG renders f as an <svg> element to embed in an HTML page (no
// XML declaration, no script, nothing loaded, no font of its own: the
// page's), widthPx pixels wide. The same figure gives the same string.
func InlineSVG(f Figure, widthPx float64) (string, error) {
	w, h, draw, err := checkedLayout(f)
	if err != nil {
		return "", err
	}
	c := newSVG(w, h)
	draw(c)
	return string(c.document(true, widthPx)), nil
}

type format int

const (
	formatSVG format = iota + 1
	formatPNG
)

func parseFormat(s string) (format, error) {
	switch strings.ToLower(strings.TrimPrefix(s, ".")) {
	case "svg":
		return formatSVG, nil
	case "png":
		return formatPNG, nil
	}
	return 0, fmt.Errorf("plot: unsupported format %q; want \"svg\" or \"png\"", s)
}

func checkedLayout(f Figure) (w, h float64, draw func(canvas), err error) {
	if f == nil || isNil(f) {
		return 0, 0, nil, errors.New("plot: nil figure")
	}
	return f.layout()
}

func isNil(f Figure) bool {
	switch f := f.(type) {
	case *UtilitySpace:
		return f == nil
	case *Timeline:
		return f == nil
	case *Overlap:
		return f == nil
	}
	return false
}

func render(fm format, f Figure) (b []byte, err error) {
	w, h, draw, err := checkedLayout(f)
	if err != nil {
		return nil, err
	}
	// gonum reports some problems by panicking; turn them into errors.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("plot: rendering failed: %v", r)
		}
	}()
	if fm == formatSVG {
		c := newSVG(w, h)
		draw(c)
		return c.document(false, 0), nil
	}
	c := newPNG(w, h)
	draw(c)
	var buf bytes.Buffer
	if err := c.writeTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// checkPoints reports the first point of pts that does not have n finite
// coordinates.
func checkPoints(name string, pts [][]float64, n int) error {
	for i, p := range pts {
		if len(p) != n {
			return fmt.Errorf("plot: %s[%d] has %d utilities, want one per party (%d)", name, i, len(p), n)
		}
		for _, v := range p {
			if !finite(v) {
				return fmt.Errorf("plot: %s[%d] = %v is not finite", name, i, p)
			}
		}
	}
	return nil
}
