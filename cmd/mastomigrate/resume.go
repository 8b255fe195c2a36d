package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

func newResumeCmd(f *factory) *cobra.Command {
	var opts migrateOptions
	var journalPath string
	cmd := &cobra.Command{
		Use:   "resume [--yes] [--wait]",
		Short: "Continue the most recent unfinished migration",
		Long: `Continue the most recent unfinished migration where it stopped, with the
exports and options it was started with. Nothing recorded as done is sent
again; what was in flight when it stopped is checked on the target first.`,
		Example: `  $ mastomigrate resume
  $ mastomigrate resume --yes --wait`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			path := journalPath
			if path == "" {
				var err error
				if path, err = latestUnfinished(f); err != nil {
					return err
				}
			}
			env, err := f.env(true)
			if err != nil {
				return err
			}
			s, err := migrate.ResumeSession(path, env)
			if err != nil {
				return err
			}
			s.Config.Yes, s.Config.Wait = opts.Yes, opts.Wait
			j, err := journal.Load(path)
			if err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "Resuming the migration to %s from %s\n", j.Header.Account, strings.Join(j.Header.Sources(), ", "))
			return runMigration(cmd.Context(), f, s, opts.JSON)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&opts.Wait, "wait", false, "wait for the daily follow limit instead of stopping")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the summary as JSON")
	cmd.Flags().StringVar(&journalPath, "journal", "", "resume this journal `file` rather than the most recent")
	return cmd
}

// latestUnfinished is the journal resume continues.
func latestUnfinished(f *factory) (string, error) {
	dir, err := f.StateDir()
	if err != nil {
		return "", err
	}
	return migrate.LatestUnfinished(dir)
}

func newStatusCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "List migrations with their progress",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := f.StateDir()
			if err != nil {
				return err
			}
			runs, err := migrate.Statuses(dir)
			if err != nil {
				return err
			}
			if len(runs) == 0 {
				if n, err := statusMoves(f, f.IO.Out, ""); n > 0 || err != nil {
					return err
				}
				fmt.Fprintln(f.IO.ErrOut, "No migrations yet.")
				return nil
			}
			defer statusMoves(f, f.IO.Out, "\n") // and the account moves (move.go), after the table
			tw := tabwriter.NewWriter(f.IO.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ACCOUNT\tSTARTED\tEXPORTS\tDONE\tNOT CARRIED\tWAITING\tAWAITING APPROVAL\tSTATE")
			for _, st := range runs {
				if st.Damaged != "" {
					fmt.Fprintf(tw, "%s\t\t\t\t\t\tdamaged: %v\n", filepath.Base(st.Journal), st.Damaged)
					continue
				}
				state := "unfinished: mastomigrate resume"
				switch {
				case st.WaitingApproval:
					state = "finished; `mastomigrate resume` once follow requests are accepted"
				case st.Finished:
					state = "finished"
				}
				switch st.FastLane {
				case journal.LaneOffered:
					state += "; fast lane offered (" + st.FastLaneReason + ")"
				case migrate.LaneUsed:
					state += "; bulk import used"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", st.Account, st.Created.Local().Format("2006-01-02 15:04"),
					strings.Join(st.Sources, ", "), st.Done, st.Dropped, st.Todo, st.Approval, state)
			}
			return tw.Flush()
		},
	}
}
