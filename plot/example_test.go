package plot_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/parley-negotiation/parley/plot"
)

func ExampleWriteFile() {
	dir, err := os.MkdirTemp("", "plot-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	u := &plot.UtilitySpace{
		Title:       "Two-party utility space",
		Parties:     []string{"Buyer", "Seller"},
		Outcomes:    [][]float64{{0.1, 0.9}, {0.3, 0.5}, {0.5, 0.6}, {0.7, 0.4}, {0.9, 0.1}, {0.4, 0.2}},
		Zone:        [][]float64{{0.5, 0.6}, {0.7, 0.4}},
		Frontier:    [][]float64{{0.1, 0.9}, {0.5, 0.6}, {0.7, 0.4}, {0.9, 0.1}},
		Joined:      true,
		Reservation: []float64{0.4, 0.35},
		Markers: []plot.Marker{
			{Name: "Nash", Kind: "nash", At: []float64{0.5, 0.6}},
			{Name: "Max welfare", Kind: "max-welfare", At: []float64{0.5, 0.6}},
		},
	}
	path := filepath.Join(dir, "space.svg")
	if err := plot.WriteFile(path, u); err != nil {
		log.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(filepath.Base(path), "written:", fi.Size() > 1000)
	// Output: space.svg written: true
}
