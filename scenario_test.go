package binarynet_test

import (
	"errors"
	"testing"

	"github.com/binarynet/binarynet"
)

func TestParseWeightMode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		want binarynet.WeightMode
		err  bool
	}{
		{"", binarynet.WeightAuto, false},
		{"auto", binarynet.WeightAuto, false},
		{"dense", binarynet.WeightDense, false},
		{"sparse", binarynet.WeightSparse, false},
		{"Dense", 0, true},
		{"csc", 0, true},
	} {
		got, err := binarynet.ParseWeightMode(tc.name)
		if tc.err {
			if !errors.Is(err, binarynet.ErrInvalidParameter) {
				t.Errorf("ParseWeightMode(%q) error %v, want ErrInvalidParameter", tc.name, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseWeightMode(%q) = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}
