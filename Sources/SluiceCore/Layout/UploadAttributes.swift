/// An upload's name and comment, given in one step with its bytes: extended attributes set on the file before it is
/// renamed into `inbox/` (`sluice submit --name N --comment C FILE` does so; `setfattr -n user.sluice.comment -v C`
/// too). They travel with the inode, so the rename that makes the drop visible brings them along: the File's first
/// published state already carries both (seed 001's one-step upload).
public enum UploadAttributes {
    /// The File's name instead of the dropped file's (UTF-8; `FileFields.nameProblems` applies).
    public static let name = "user.sluice.name"
    /// The File's comment (UTF-8; `FileFields.commentProblems` applies).
    public static let comment = "user.sluice.comment"
}
