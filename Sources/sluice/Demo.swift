import ArgumentParser
import Catalogue
import Foundation
import Imaging
import Logging
import Pipeline
import ServiceLifecycle
import SluiceCore

/// `sluice demo`: demo pets with photos drawn locally (libgd), and a few files, through the real pipeline.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Fill a root with demo data: pets with photos drawn locally with libgd, a few files and image tasks. No network.",
        discussion: """
            Everything goes through the pipeline as any drop does: the photos and files are dropped into inbox/ as \\
            uploads, the pets are created by a request file, then the photos attached by another, then a few image tasks \\
            queued on the photos, each taken by a run (or by a watch already running on the root). Then start the \\
            reader and look:

            Examples:
              sluice demo && sluice up            # http://127.0.0.1:8000/
              sluice demo --root /tmp/demo --pets 40
            """)

    @OptionGroup var root: RootOptions
    @OptionGroup var links: LinkOptions

    @Option(help: "How many demo pets (about two in three get photos).")
    var pets: Int = 12

    func validate() throws {
        guard (1...1000).contains(pets) else { throw ValidationError("--pets must be from 1 to 1000") }
    }

    func run() async throws {
        let logger = root.makeLogger("sluice")
        let path = root.absoluteRoot
        let layout = try RootLayout(root: path)
        let inbox = path + "/" + RootLayout.inboxFolder
        let tag = Identifier.make().suffix(6)

        // 1. The pets, their photos (drawn here) and a few plain files, all dropped at once.
        let names = (0..<pets).map { Self.names[$0 % Self.names.count] + ($0 < Self.names.count ? "" : " \($0 / Self.names.count + 1)") }
        let creates = names.enumerated().map { i, name in
            #"{"op": "pet.create", "name": "\#(name)", "age": \#((i * 7) % 16 + 1), "type": "\#(i % 3 == 1 ? "cat" : "dog")"}"#
        }
        let petsDrop = "demo-pets-\(tag).json"
        try InboxDrop.put(Data(("[" + creates.joined(separator: ",\n") + "]").utf8), as: petsDrop, in: inbox)
        let withPhotos = max(1, pets * 2 / 3)
        let photoCount = withPhotos + pets / 4
        var photoDrops: [String] = []
        for i in 0..<photoCount {
            let name = "demo-photo-\(tag)-\(i).jpg"
            try InboxDrop.put(Data(try Self.drawPet(i)), as: name, in: inbox)
            photoDrops.append(name)
        }
        try InboxDrop.put(Data(Self.readme.utf8), as: "demo-notes-\(tag).txt", in: inbox)
        try await process(layout, logger: logger)
        let petIDs = try results(of: petsDrop, path: path).compactMap { ($0["body"] as? [String: Any])?["id"] as? String }
        let photoIDs = try photoDrops.map { try receipt(of: $0, path: path)?["body"] as? [String: Any] }.compactMap { $0?["id"] as? String }

        // 2. The photos attached: the first two thirds of the pets get one each, the first quarter a second; the
        //    rest none (so that has_photos=false lists some).
        var attaches: [String] = []
        for (i, photo) in photoIDs.enumerated() where petIDs.count >= withPhotos {
            let pet = petIDs[i % withPhotos]
            attaches.append(#"{"op": "pet.photo", "pet_id": "\#(pet)", "file_id": "\#(photo)"}"#)
        }
        if !attaches.isEmpty {
            let drop = "demo-photos-\(tag).json"
            try InboxDrop.put(Data(("[" + attaches.joined(separator: ",\n") + "]").utf8), as: drop, in: inbox)
            try await process(layout, logger: logger)
            _ = try results(of: drop, path: path)
        }
        // 3. A few image tasks on the photos, so that a fresh root shows finished tasks with their results.
        var tasks = 0
        if photoIDs.count >= 3 {
            let jobs = [
                #"{"op": "image.job", "file_ids": ["\#(photoIDs[0])", "\#(photoIDs[1])", "\#(photoIDs[2])"], "algorithm": "resize", "params": {"width": 128, "height": 128, "fit": "cover"}}"#,
                #"{"op": "image.job", "file_ids": ["\#(photoIDs[0])"], "algorithm": "grayscale", "params": null}"#,
                #"{"op": "image.job", "file_ids": ["\#(photoIDs[1])"], "algorithm": "flip", "params": {"direction": "horizontal", "format": "png"}}"#,
                #"{"op": "image.job", "file_ids": ["\#(photoIDs[2])"], "algorithm": "pipeline", "params": {"steps": [{"algorithm": "rotate", "params": {"degrees": 90}}, {"algorithm": "sharpen"}, {"algorithm": "resize", "params": {"width": 160}}], "format": "webp"}}"#,
            ]
            let drop = "demo-tasks-\(tag).json"
            try InboxDrop.put(Data(("[" + jobs.joined(separator: ",\n") + "]").utf8), as: drop, in: inbox)
            try await process(layout, logger: logger)
            tasks = try results(of: drop, path: path).reduce(0) { $0 + ((($1["body"] as? [String: Any])?["task_ids"] as? [Any])?.count ?? 0) }
        }
        print("sluice demo: \(petIDs.count) pets, \(attaches.count) photos, \(tasks) image tasks and \(photoIDs.count + 1 + tasks) files in \(path)/outbox/")
        print("  see them: sluice up --root \(path)   (then open \(links.baseUrl)/ or \(links.baseUrl)/pets)")
    }

    /// Runs the pipeline over what is in inbox/ now, as `sluice run` does.
    private func process(_ layout: RootLayout, logger: Logger) async throws {
        let path = root.absoluteRoot
        var configuration = PipelineConfiguration(root: path)
        configuration.baseURL = links.baseUrl
        let batch = try BatchRun(layout: layout, configuration: configuration,
                                 catalogue: try SQLiteCatalogue(path: RootLayout.cataloguePath(root: path)), logger: logger) { _ in }
        try await ServiceGroup.sluice([batch.publisher, batch], logger: logger).run()
    }

    /// A drop's receipt, waited for (a watch on the same root may be the one taking the drop).
    private func receipt(of drop: String, path: String) throws -> [String: Any]? {
        let file = path + "/" + RootLayout.receiptsFolder + "/" + RootLayout.receiptName(for: drop, requestID: "")
        for _ in 0..<600 {
            if let data = FileManager.default.contents(atPath: file),
               let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] { return json }
            usleep(50_000)
        }
        throw CommandFailure("no receipt for \(drop) after 30 s: is something else taking drops from inbox/?")
    }

    /// A batch drop's results, each with its status; fails saying which element was refused and why.
    private func results(of drop: String, path: String) throws -> [[String: Any]] {
        let results = try receipt(of: drop, path: path)?["results"] as? [[String: Any]] ?? []
        if let refused = results.first(where: { $0["status"] as? Int != 200 }) {
            throw CommandFailure("\(drop) was refused in part: \(refused)")
        }
        return results
    }

    /// A 320×240 JPEG of a cartoon pet: a coloured sky, a body, a head, ears and eyes, different for each `i`.
    static func drawPet(_ i: Int) throws -> [UInt8] {
        let image = try GDImage(width: 320, height: 240)
        let sky = palette[i % palette.count], fur = furs[(i / palette.count + i) % furs.count]
        image.fillRectangle(x1: 0, y1: 0, x2: 319, y2: 239, red: sky.0, green: sky.1, blue: sky.2)
        image.fillRectangle(x1: 0, y1: 190, x2: 319, y2: 239, red: 96, green: 160, blue: 80)
        image.fillEllipse(x: 170, y: 170, width: 180, height: 100, red: fur.0, green: fur.1, blue: fur.2)
        image.fillEllipse(x: 100, y: 110, width: 110, height: 100, red: fur.0, green: fur.1, blue: fur.2)
        image.fillEllipse(x: 62 + (i % 3) * 4, y: 62, width: 34, height: 56, red: fur.0 / 2, green: fur.1 / 2, blue: fur.2 / 2)
        image.fillEllipse(x: 138 - (i % 3) * 4, y: 62, width: 34, height: 56, red: fur.0 / 2, green: fur.1 / 2, blue: fur.2 / 2)
        for x in [80, 120] { image.fillEllipse(x: x, y: 105, width: 14, height: 16, red: 30, green: 30, blue: 30) }
        image.fillEllipse(x: 100, y: 130, width: 18, height: 12, red: 60, green: 30, blue: 30)
        return try image.jpeg(quality: 85)
    }

    static let names = ["Rex", "Luna", "Max", "Bella", "Milo", "Daisy", "Oscar", "Coco", "Buddy", "Nala", "Simba", "Pepper",
                        "Rocky", "Lola", "Teddy", "Mochi"]
    static let palette = [(180, 215, 255), (255, 228, 196), (210, 240, 210), (240, 220, 250), (255, 250, 205)]
    static let furs = [(139, 90, 43), (60, 60, 60), (222, 184, 135), (245, 245, 245), (205, 133, 63), (112, 128, 144)]
    static let readme = """
        Demo data made by `sluice demo`: pets (outbox/pets/), their photos (files under upload/image/) and this note.
        Drop your own: echo '{"op": "pet.create", "name": "boy", "age": 7, "type": "dog"}' | sluice submit -

        """
}
