package journal

import (
	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/category"
)

// Op is what one step does on the target.
type Op = category.Op

const (
	OpFollow      Op = "follow"
	OpCreateList  Op = "create_list"
	OpAddToList   Op = "add_to_list"
	OpBookmark    Op = "bookmark"
	OpFavourite   Op = "favourite"
	OpMute        Op = "mute"
	OpBlock       Op = "block"
	OpBlockDomain Op = "block_domain"
	// OpRefollow withdraws a follow request that is stuck and sends it
	// again (see Target.Stuck): sending the follow alone only updates the
	// stuck request (GoToSocial's internal/processing/account/follow.go).
	OpRefollow Op = "refollow"

	// Overwrite mode also removes what the export does not have.
	OpUnfollow       Op = "unfollow"
	OpUnblock        Op = "unblock"
	OpUnmute         Op = "unmute"
	OpUnblockDomain  Op = "unblock_domain"
	OpRemoveFromList Op = "remove_from_list"
)

// The ops of the categories no export holds, carried from the old
// account read live (migrate/source.go, migrate/extras.go).
const (
	OpFollowTag    Op = "follow_tag"
	OpFeatureTag   Op = "feature_tag"
	OpEndorse      Op = "endorse"
	OpNote         Op = "note"
	OpCreateFilter Op = "create_filter"
)

// The ops that are not a diff's steps but go through the same policy.
const (
	OpCreateStatus  Op = "create_status"  // a post, backdated (migrate/posts)
	OpUploadMedia   Op = "upload_media"   // a post's media file (migrate/posts)
	OpImport        Op = "import"         // a bulk import upload (migrate/bulk.go)
	OpMove          Op = "move"           // the move on the old account (migrate/move)
	OpUpdateProfile Op = "update_profile" // the profile carried (migrate/profile.go)
)

// Step is one change to make on the target. ID is stable across runs of
// the same export, so the journal can say which steps are done.
type Step struct {
	ID        string            `json:"id"`
	Op        Op                `json:"op"`
	Category  category.Category `json:"category"`
	Item      string            `json:"item"`                 // what a person reads
	AccountID string            `json:"account_id,omitempty"` // on the target
	List      string            `json:"list,omitempty"`       // list title
	Follow    *archive.Follow   `json:"follow,omitempty"`
	Mute      *archive.Mute     `json:"mute,omitempty"`
	// ListSettings are a new list's replies policy and exclusive flag.
	ListSettings *ListSettings `json:"list_settings,omitempty"`
	Note         string        `json:"note,omitempty"`
	Extra        *Extra        `json:"extra,omitempty"` // migrate/extras.go
}

// ListSettings are what a list has besides its title and members; empty
// when the export did not say (CSV exports do not).
type ListSettings struct {
	RepliesPolicy string `json:"replies_policy,omitempty"`
	Exclusive     *bool  `json:"exclusive,omitempty"`
}

// Extra is what a step of the extras' categories (migrate/extras.go), read live
// from the old account, carries besides its item.
type Extra struct {
	Note   string      `json:"note,omitempty"`
	Filter *api.Filter `json:"filter,omitempty"`
	// FilterID is the new account's filter of the same title, which
	// Filter's keywords are added to (migrate/filters.go).
	FilterID string `json:"filter_id,omitempty"`
}

// Step ids are stable across runs of the same export, so the journal
// can say which steps are done: one constructor per shape, the only
// places they are spelled.

// opID is the id of most steps: the op and its item ("follow a@b",
// "block_domain spam.example").
func OpID(op Op, item string) string { return string(op) + " " + item }

// FollowID is the follow of handle, which list members wait for.
func FollowID(handle string) string { return OpID(OpFollow, handle) }

func FollowSettingsID(handle string) string    { return "follow settings " + handle }
func ListID(title string) string               { return "list " + title }
func ListMemberID(title, handle string) string { return ListID(title) + " member " + handle }
func ListRemovalID(title, handle string) string {
	return ListID(title) + " remove " + handle
}

// ProfileID is the profile's text (display name, bio and fields);
// ProfileImageID an image of it (avatar, header), ProfileCutID what of
// it the target cannot take, journaled as skipped.
const ProfileID = "profile"

func ProfileImageID(name string) string { return ProfileID + " " + name }
func ProfileCutID(item string) string   { return ProfileID + " cut " + item }

func FilterID(title string) string     { return "filter " + title }
func PostID(id string) string          { return "post " + id }
func MediaID(post, path string) string { return "media " + post + " " + path }
func ProblemID(cat category.Category, list, item string) string {
	return "problem " + string(cat) + " " + list + " " + item
}
