import Synchronization

/// The catalogue in RAM hash tables, as seed 003 asks: for tests and throwaway runs.
public final class MemoryCatalogue: CatalogueStore {
    struct State {
        var files: [String: FileRecord] = [:]
        var fileSeqs: [Int64: String] = [:]
        var lastSeq: Int64 = 0
        /// With the order they were inserted in: receipts of one transaction are published in that order.
        var requests: [String: (record: RequestRecord, version: Int64, order: Int)] = [:]
        var fileVersions: [String: Int64] = [:]
        var deleted: [(file: DeletedObject, version: Int64)] = []
        var clock: Int64 = 0
        var published: Int64 = 0
        var unlinks: [String] = []
        var unlinkSet: Set<String> = []
        var jobs: [String: (job: Job, owner: String?)] = [:]
        var pets: [String: PetRecord] = [:]
        var petSeqs: [Int64: String] = [:]
        var lastPetSeq: Int64 = 0
        var petVersions: [String: Int64] = [:]
        var deletedPets: [(pet: DeletedObject, version: Int64)] = []
        /// Photo File id → its pet, whether it is listed, and the order it was attached in.
        var photos: [String: (pet: String, ready: Bool, order: Int)] = [:]
        var photoOrder = 0
        var tasks: [String: TaskRecord] = [:]
        var taskSeqs: [Int64: String] = [:]
        var lastTaskSeq: Int64 = 0
        var taskVersions: [String: Int64] = [:]
        /// Jobs whose work started (`markBegun`), until they go back to the queue or end.
        var begun: Set<String> = []
    }

    private let state = Mutex(State())

    public init() {}

    public func read<T>(_ body: (any CatalogueReading) throws -> T) throws -> T {
        let snapshot = state.withLock { $0 }
        return try body(MemoryTransaction(state: snapshot))
    }

    /// Nothing is deferred in memory.
    public func performIdleMaintenance() {}

    public func write<T>(_ body: (any CatalogueWriting) throws -> T) throws -> T {
        try state.withLock { current in
            let tx = MemoryTransaction(state: current)
            let result = try body(tx)
            current = tx.state
            return result
        }
    }
}

/// A copy of the state that a transaction changes; committed by assigning it back.
final class MemoryTransaction: CatalogueWriting {
    var state: MemoryCatalogue.State
    private var version: Int64?

    init(state: MemoryCatalogue.State) { self.state = state }

    /// This transaction's tick of the clock, taken at its first change.
    private func tick() -> Int64 {
        if let version { return version }
        state.clock += 1
        version = state.clock
        return state.clock
    }

    func file(id: String) -> FileRecord? { state.files[id] }

    /// The records whose seq is in `range`, in seq order, at most `limit`.
    private func inSeqOrder<T>(_ seqs: [Int64: String], _ records: [String: T], _ range: Range<Int64>, limit: Int = .max) -> [T] {
        Array(seqs.keys.filter(range.contains).sorted().prefix(limit).compactMap { records[seqs[$0]!] })
    }

    func files(afterSeq: Int64, limit: Int) -> [FileRecord] { inSeqOrder(state.fileSeqs, state.files, (afterSeq + 1)..<Int64.max, limit: limit) }

    func files(seqFrom lower: Int64, to upper: Int64) -> [FileRecord] { inSeqOrder(state.fileSeqs, state.files, lower..<upper) }

    func fileCount() -> Int { state.files.count }
    func lastFileSeq() -> Int64 { state.lastSeq }
    func request(id: String) -> RequestRecord? { state.requests[id]?.record }

    func currentVersion() -> Int64 { state.clock }
    func publishedVersion() -> Int64 { state.published }

    func filesChanged(after: Int64, upTo: Int64) -> [FileRecord] {
        state.fileVersions.filter { $0.value > after && $0.value <= upTo }.compactMap { state.files[$0.key] }.sorted { $0.seq < $1.seq }
    }

    func filesDeleted(after: Int64, upTo: Int64) -> [DeletedObject] {
        state.deleted.filter { $0.version > after && $0.version <= upTo }.map(\.file)
    }

    func requestsCommitted(after: Int64, upTo: Int64) -> [RequestRecord] {
        state.requests.values.filter { $0.version > after && $0.version <= upTo }.sorted { ($0.version, $0.order) < ($1.version, $1.order) }.map(\.record)
    }

    func recentRequests(limit: Int, upTo: Int64) -> [RequestRecord] {
        state.requests.values.filter { $0.version <= upTo }.sorted { ($0.version, $0.order) > ($1.version, $1.order) }.prefix(limit).map { entry in
            var record = entry.record
            if record.receipt.count > RequestRecord.summarisedReceiptBytes { record.receipt = [] }
            return record
        }
    }

    func pendingUnlinks(limit: Int) -> [String] { Array(state.unlinks.prefix(limit)) }
    func unfinishedJobCount() -> Int { state.jobs.count }
    func queuedJobCount() -> Int { state.jobs.values.filter { $0.owner == nil }.count }
    func jobOwners() -> [String] { Array(Set(state.jobs.values.compactMap(\.owner))) }

    func pet(id: String) -> PetRecord? { state.pets[id].map(withPhotos) }

    func pets(hasPhotos: Bool?, offset: Int, limit: Int) -> [PetRecord] {
        Array(listed(hasPhotos).dropFirst(offset).prefix(limit))
    }

    func pets(afterSeq: Int64, limit: Int, hasPhotos: Bool?) -> [PetRecord] {
        Array(listed(hasPhotos).filter { $0.seq > afterSeq }.prefix(limit))
    }

    func pets(seqFrom lower: Int64, to upper: Int64) -> [PetRecord] {
        listed(nil).filter { $0.seq >= lower && $0.seq < upper }
    }

    func petCount(hasPhotos: Bool?) -> Int { listed(hasPhotos).count }
    func lastPetSeq() -> Int64 { state.lastPetSeq }

    func petsChanged(after: Int64, upTo: Int64) -> [PetRecord] {
        state.petVersions.filter { $0.value > after && $0.value <= upTo }.compactMap { pet(id: $0.key) }.sorted { $0.seq < $1.seq }
    }

    func petsDeleted(after: Int64, upTo: Int64) -> [DeletedObject] {
        state.deletedPets.filter { $0.version > after && $0.version <= upTo }.map(\.pet)
    }

    func photoOwner(fileID: String) -> String? { state.photos[fileID]?.pet }

    /// Every pet in listing order, with its listed photos, filtered by whether it has any.
    private func listed(_ hasPhotos: Bool?) -> [PetRecord] {
        state.petSeqs.keys.sorted().compactMap { state.pets[state.petSeqs[$0]!].map(withPhotos) }
            .filter { hasPhotos == nil || $0.photos.isEmpty != hasPhotos! }
    }

    private func withPhotos(_ pet: PetRecord) -> PetRecord {
        var pet = pet
        pet.photos = state.photos.filter { $0.value.pet == pet.id && $0.value.ready }.sorted { $0.value.order < $1.value.order }.map(\.key)
        return pet
    }

    func insertPet(_ pet: inout PetRecord) {
        state.lastPetSeq += 1
        pet.seq = state.lastPetSeq
        pet.photos = []
        state.pets[pet.id] = pet
        state.petSeqs[pet.seq] = pet.id
        state.petVersions[pet.id] = tick()
    }

    func attachPhoto(fileID: String, petID: String, ready: Bool) {
        state.photoOrder += 1
        state.photos[fileID] = (petID, ready, state.photoOrder)
        if ready { state.petVersions[petID] = tick() }
    }

    func markPhotoReady(fileID: String) -> Bool {
        guard let photo = state.photos[fileID] else { return false }
        if !photo.ready {
            state.photos[fileID]?.ready = true
            state.petVersions[photo.pet] = tick()
        }
        return true
    }

    private func detachPhoto(fileID: String) {
        guard let photo = state.photos.removeValue(forKey: fileID) else { return }
        if photo.ready && state.pets[photo.pet] != nil { state.petVersions[photo.pet] = tick() }
    }

    func deletePet(id: String) -> [String]? {
        guard let pet = state.pets.removeValue(forKey: id) else { return nil }
        let photos = state.photos.filter { $0.value.pet == id }.sorted { $0.value.order < $1.value.order }.map(\.key)
        for photo in photos { state.photos[photo] = nil }
        state.petSeqs[pet.seq] = nil
        state.petVersions[id] = nil
        state.deletedPets.append((DeletedObject(id: id, seq: pet.seq), tick()))
        return photos
    }

    func insertFile(_ file: inout FileRecord) throws {
        state.lastSeq += 1
        file.seq = state.lastSeq
        state.files[file.id] = file
        state.fileSeqs[file.seq] = file.id
        state.fileVersions[file.id] = tick()
    }

    func editFile(id: String, name: String?, comment: String?) -> FileRecord? {
        guard var file = state.files[id] else { return nil }
        if let name { file.name = name; file.nameSetByUser = true }
        if let comment { file.comment = comment }
        return store(file)
    }

    func updateFile(id: String, stage update: FileStageUpdate) -> Bool {
        guard var file = state.files[id] else { return false }
        update.apply(to: &file)
        store(file)
        return true
    }

    func setFileStatus(id: String, to status: FileRecord.Status, from: Set<FileRecord.Status>) -> Bool {
        guard var file = state.files[id], from.contains(file.status) else { return false }
        file.status = status
        file.error = nil
        store(file)
        return true
    }

    /// Keeps a changed File: a new version, and now as its `updatedAt`; returns it as kept.
    @discardableResult
    private func store(_ changed: FileRecord) -> FileRecord {
        var file = changed
        file.updatedAt = .now()
        state.files[file.id] = file
        state.fileVersions[file.id] = tick()
        return file
    }

    func deleteFile(id: String) {
        guard let f = state.files.removeValue(forKey: id) else { return }
        detachPhoto(fileID: id)
        state.fileSeqs[f.seq] = nil
        state.fileVersions[id] = nil
        state.deleted.append((DeletedObject(id: id, seq: f.seq), tick()))
        for (taskID, task) in state.tasks where task.resultID == id {
            var changed = task
            changed.resultID = nil
            changed.updatedAt = .now()
            state.tasks[taskID] = changed
            state.taskVersions[taskID] = tick()
        }
    }

    func insertRequest(_ request: RequestRecord) throws {
        guard state.requests[request.id] == nil else { throw CatalogueError.duplicateRequest(request.id) }
        state.requests[request.id] = (request, tick(), state.requests.count)
    }

    func markPublished(upTo version: Int64) {
        let published = max(state.published, version)
        state.published = published
        state.deleted.removeAll { $0.version <= published }
        state.deletedPets.removeAll { $0.version <= published }
    }

    func addUnlink(_ path: String) { if state.unlinkSet.insert(path).inserted { state.unlinks.append(path) } }

    func removeUnlinks(_ paths: [String]) {
        let removed = Set(paths)
        state.unlinkSet.subtract(removed)
        state.unlinks.removeAll(where: removed.contains)
    }

    func enqueueJob(_ job: Job) { state.jobs[job.id] = (job, nil) }

    func claimJobs(kind: Job.Kind, owner: String, now: Timestamp, limit: Int) -> [Job] {
        let due = state.jobs.values.filter { $0.owner == nil && $0.job.kind == kind && $0.job.notBefore <= now }
            .map(\.job).sorted { ($0.notBefore, $0.id) < ($1.notBefore, $1.id) }.prefix(limit)
        for job in due { state.jobs[job.id]?.owner = owner }
        return Array(due)
    }

    func recordPlacement(job: Job, owner: String, path: String) -> JobHold {
        guard var entry = state.jobs[job.id] else { return .gone }
        guard entry.owner == owner else { return .notHeld }
        if let previous = job.placedPath, previous != path { addUnlink(previous) }
        removeUnlinks([path])
        entry.job.placedPath = path
        state.jobs[job.id] = entry
        return .held
    }

    func markBegun(jobIDs: [String], owner: String) {
        for id in jobIDs where state.jobs[id]?.owner == owner { state.begun.insert(id) }
    }

    func finishJob(id: String, owner: String?) -> JobHold {
        guard let entry = state.jobs[id] else { return .gone }
        guard entry.owner == owner else { return .notHeld }
        state.jobs[id] = nil
        state.begun.remove(id)
        return .held
    }

    func retryJob(id: String, owner: String, attempts: Int, notBefore: Timestamp) -> JobHold {
        guard var entry = state.jobs[id] else { return .gone }
        guard entry.owner == owner else { return .notHeld }
        entry.job.attempts = attempts
        entry.job.notBefore = notBefore
        entry.owner = nil
        state.begun.remove(id)
        state.jobs[id] = entry
        return .held
    }

    func deleteJobs(subject: String) {
        for (id, entry) in state.jobs where entry.job.subject == subject {
            if let placed = entry.job.placedPath { addUnlink(placed) }
            state.jobs[id] = nil
        }
    }

    func releaseJobs(owner: String, kind: Job.Kind?, countingAnAttempt: Bool) -> [Job] {
        var released: [Job] = []
        for (id, entry) in state.jobs where entry.owner == owner && (kind == nil || entry.job.kind == kind) {
            var job = entry.job
            let began = state.begun.remove(id) != nil
            if countingAnAttempt && (began || (job.placedPath != nil && job.kind == .download) || state.files[job.subject]?.status == .downloading
                                     || state.tasks[job.subject]?.status == .processing) { job.attempts += 1 }
            state.jobs[id] = (job, nil)
            released.append(job)
        }
        return released
    }

    func statistics() -> CatalogueStatistics {
        var statistics = CatalogueStatistics()
        statistics.requests = state.requests.count
        for file in state.files.values {
            statistics.filesByStatus[file.status.rawValue, default: 0] += 1
            if file.url != nil && file.status == .ready { statistics.downloadedBytes += file.size }
        }
        for task in state.tasks.values { statistics.tasksByStatus[task.status.rawValue, default: 0] += 1 }
        for entry in state.jobs.values {
            if entry.owner == nil { statistics.queuedJobs[entry.job.kind.rawValue, default: 0] += 1 }
            else { statistics.runningJobs[entry.job.kind.rawValue, default: 0] += 1 }
        }
        statistics.pets = state.pets.count
        return statistics
    }

    func nextJobDue(kind: Job.Kind) -> Timestamp? {
        state.jobs.values.filter { $0.owner == nil && $0.job.kind == kind }.map(\.job.notBefore).min()
    }

    func task(id: String) -> TaskRecord? { state.tasks[id] }

    func tasks(afterSeq: Int64, limit: Int) -> [TaskRecord] { inSeqOrder(state.taskSeqs, state.tasks, (afterSeq + 1)..<Int64.max, limit: limit) }

    func tasks(seqFrom lower: Int64, to upper: Int64) -> [TaskRecord] { inSeqOrder(state.taskSeqs, state.tasks, lower..<upper) }

    func taskCount() -> Int { state.tasks.count }
    func lastTaskSeq() -> Int64 { state.lastTaskSeq }

    func tasksChanged(after: Int64, upTo: Int64) -> [TaskRecord] {
        state.taskVersions.filter { $0.value > after && $0.value <= upTo }.compactMap { state.tasks[$0.key] }.sorted { $0.seq < $1.seq }
    }

    func insertTask(_ task: inout TaskRecord) {
        state.lastTaskSeq += 1
        task.seq = state.lastTaskSeq
        state.tasks[task.id] = task
        state.taskSeqs[task.seq] = task.id
        state.taskVersions[task.id] = tick()
    }

    func updateTask(id: String, stage update: TaskStageUpdate, from: Set<TaskRecord.Status>) -> Bool {
        guard var task = state.tasks[id], from.contains(task.status) else { return false }
        task.status = update.status
        task.error = update.error
        task.resultID = update.result?.id
        task.resultExtension = update.result?.fileExtension
        task.updatedAt = .now()
        state.tasks[id] = task
        state.taskVersions[id] = tick()
        return true
    }
}
