/// A failure of a command's work (not of its command line): printed as one line, without the usage text.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
