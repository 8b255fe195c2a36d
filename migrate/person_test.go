package migrate_test

import (
	"testing"

	"github.com/mastomigrate/mastomigrate/migrate"
)

// TestConfirmationAgrees: the one rule of what agrees to a question, for
// the terminal and the page alike: removals need the account's name.
func TestConfirmationAgrees(t *testing.T) {
	change := migrate.Confirmation{Account: "me@new.example", Changes: 5}
	removal := migrate.Confirmation{Account: "me@new.example", Changes: 5, Removals: 2}
	done := migrate.Confirmation{Account: "me@new.example", Kind: migrate.ConfirmDone, Removals: 2}
	step := migrate.Confirmation{Account: "me@new.example", Prompt: "Set the alias?", Removals: 2}
	tests := []struct {
		name  string
		q     migrate.Confirmation
		yes   bool
		typed string
		want  bool
	}{
		{"change, yes", change, true, "", true},
		{"change, no", change, false, "", false},
		{"removal, yes alone", removal, true, "", false},
		{"removal, yes typed", removal, true, "yes", false},
		{"removal, name", removal, true, "me@new.example", true},
		{"removal, @name with spaces", removal, true, "  @me@new.example \n", true},
		{"removal, name in capitals", removal, true, "Me@New.Example", true},
		{"removal, other account", removal, true, "me@old.example", false},
		{"removal, name alone", removal, true, "me", false},
		{"removal, name but no", removal, false, "me@new.example", false},
		{"done asks no name", done, true, "", true},
		{"a step's prompt asks no name", step, true, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.q.Agrees(tt.yes, tt.typed); got != tt.want {
				t.Errorf("Agrees(%v, %q) = %v, want %v", tt.yes, tt.typed, got, tt.want)
			}
		})
	}
}
