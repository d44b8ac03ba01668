/// The rules for the fields a user gives a File, `name` and `comment`: one owner for `file.update` and for the
/// name and comment an upload carries (`UploadAttributes`).
public enum FileFields {
    /// What is wrong with `name` as a File's name; empty when nothing is.
    public static func nameProblems(_ name: String, limits: Limits) -> [String] {
        var problems: [String] = []
        if name.isEmpty { problems.append("must not be empty") }
        if name.utf8.count > limits.maxNameBytes { problems.append("longer than \(limits.maxNameBytes) bytes") }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { problems.append("must not contain control characters") }
        return problems
    }

    /// What is wrong with `comment` as a File's comment; empty when nothing is.
    public static func commentProblems(_ comment: String, limits: Limits) -> [String] {
        comment.utf8.count > limits.maxCommentBytes ? ["longer than \(limits.maxCommentBytes) bytes"] : []
    }
}
