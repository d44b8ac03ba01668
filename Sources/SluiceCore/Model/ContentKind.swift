/// The folder under `upload/` a stored file goes to, decided by its bytes (seed 002).
public enum ContentKind: String, Sendable, CaseIterable {
    case image, text, application, audio, video, other
}
