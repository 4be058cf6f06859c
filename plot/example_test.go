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

	res := [2]float64{0.4, 0.35}
	u := &plot.UtilitySpace{
		Title: "Two-party utility space",
		XName: "buyer", YName: "seller",
		Outcomes:    [][2]float64{{0.1, 0.9}, {0.3, 0.5}, {0.5, 0.6}, {0.7, 0.4}, {0.9, 0.1}, {0.4, 0.2}},
		Zone:        [][2]float64{{0.5, 0.6}, {0.7, 0.4}},
		Frontier:    [][2]float64{{0.1, 0.9}, {0.5, 0.6}, {0.7, 0.4}, {0.9, 0.1}},
		Reservation: &res,
		Markers: []plot.Marker{
			{Name: "Nash", At: [2]float64{0.5, 0.6}},
			{Name: "Max welfare", At: [2]float64{0.5, 0.6}},
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
