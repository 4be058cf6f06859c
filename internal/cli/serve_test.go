package cli

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// TestParseProxies reads --trusted-proxy: ranges and single addresses; a
// malformed entry is a usage error naming it.
func TestParseProxies(t *testing.T) {
	got, err := parseProxies([]string{"10.0.0.0/8", " 127.0.0.1", "2001:db8::/32", "192.168.1.7/24", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32"),
		netip.MustParsePrefix("2001:db8::/32"), netip.MustParsePrefix("192.168.1.0/24"), netip.MustParsePrefix("::1/128"),
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	_, err = parseProxies([]string{"10.0.0.0/8", "proxy.example"})
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `"proxy.example"`) {
		t.Errorf("error %v, want a usage error naming the entry", err)
	}
}
