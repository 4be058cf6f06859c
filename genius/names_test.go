package genius

import (
	"testing"

	"github.com/parley-negotiation/parley/scenario"
)

func TestPartyNames(t *testing.T) {
	for _, c := range []struct {
		domain string
		ids    []string
		want   []string
	}{
		{"Amsterdam_domain", []string{"Amsterdam_party1", "Amsterdam_party2"}, []string{"Party 1", "Party 2"}},
		{"ItexvsCypress_domain", []string{"ItexvsCypress_Cypress", "ItexvsCypress_Itex"}, []string{"Cypress", "Itex"}},
		{"party_domain", []string{"party1_utility", "party2_utility"}, []string{"Party 1", "Party 2"}},
		{"Bank_Robbery", []string{"Bank_Robbery_util1", "Bank_Robbery_util2"}, []string{"Party 1", "Party 2"}},
		{"Grocery_domain", []string{"Grocery_domain_mary", "Grocery_domain_sam"}, []string{"Mary", "Sam"}},
		{"Barter-A-domain", []string{"Barter-A-prof1", "Barter-A-prof2"}, []string{"Party 1", "Party 2"}},
		{"IS_BT_Acquisition", []string{"IS_BT_Acquisition_BT_prof", "IS_BT_Acquisition_IS_prof"}, []string{"BT prof", "IS prof"}},
		// Collisions keep the ids.
		{"x", []string{"a_utility", "a-utility"}, []string{"a_utility", "a-utility"}},
		// Nothing left after the prefix: keep the id.
		{"Coffee", []string{"Coffee", "Coffee_util1"}, []string{"Coffee", "Party 1"}},
	} {
		s := &scenario.Scenario{}
		for _, id := range c.ids {
			s.Parties = append(s.Parties, scenario.Party{ID: id, Name: id})
		}
		nameParties(s, c.domain)
		for i, p := range s.Parties {
			if p.Name != c.want[i] || p.ID != c.ids[i] {
				t.Errorf("%s: %s named %q, want %q (id kept)", c.domain, c.ids[i], p.Name, c.want[i])
			}
		}
	}
}
