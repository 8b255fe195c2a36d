package migrate

// Step ids are stable across runs of the same export, so the journal
// can say which steps are done: one constructor per shape, the only
// places they are spelled.

// opID is the id of most steps: the op and its item ("follow a@b",
// "block_domain spam.example").
func opID(op Op, item string) string { return string(op) + " " + item }

// FollowID is the follow of handle, which list members wait for.
func FollowID(handle string) string { return opID(OpFollow, handle) }

func followSettingsID(handle string) string    { return "follow settings " + handle }
func listID(title string) string               { return "list " + title }
func listMemberID(title, handle string) string { return listID(title) + " member " + handle }
func listRemovalID(title, handle string) string {
	return listID(title) + " remove " + handle
}
func filterID(title string) string            { return "filter " + title }
func postID(id string) string                 { return "post " + id }
func mediaID(post, path string) string        { return "media " + post + " " + path }
func problemID(cat, list, item string) string { return "problem " + cat + " " + list + " " + item }
