import CGD
import Foundation
public import SluiceCore

extension GDImage {
    /// Applies one step of an image task in place (steps that make a new image replace this one's). A step that makes
    /// a new image checks its size first: at most `limit` pixels and `sideLimit` a side, refused before libgd
    /// allocates anything (a resize by one side of a 1×16384 image would otherwise ask for gigabytes).
    public func apply(_ step: ImageOperation.Step, limit: Int = .max, sideLimit: Int = .max) throws(ImagingError) {
        func fits(_ size: (width: Int, height: Int)) throws(ImagingError) {
            guard size.width <= sideLimit, size.height <= sideLimit else {
                throw .sideTooLong(width: size.width, height: size.height, limit: sideLimit)
            }
            guard size.width * size.height <= limit else { throw .tooManyPixels(width: size.width, height: size.height, limit: limit) }
        }
        switch step {
        case let .resize(width, height, fit, kernel, background):
            let size = Self.resizedSize(width: self.width, height: self.height, toWidth: width, toHeight: height, fit: fit)
            try fits(size)
            try resize(to: size, fit: fit, box: (width ?? 0, height ?? 0), kernel: kernel, background: background)
        case let .crop(x, y, w, h):
            guard x + w <= width, y + h <= height else {
                throw .operationFailed("crop: the rectangle x \(x)…\(x + w), y \(y)…\(y + h) is outside the \(width)×\(height) image")
            }
            try replace(with: made(sluice_gd_crop(pointer, Int32(x), Int32(y), Int32(w), Int32(h)), "crop"))
        case let .flip(horizontal, vertical):
            flip(horizontally: horizontal, vertically: vertical)
        case let .rotate(degrees, background):
            // The turned image's bounding box.
            let radians = degrees * .pi / 180, cosine = abs(cos(radians)), sine = abs(sin(radians))
            try fits((Int((Double(width) * cosine + Double(height) * sine).rounded(.up)),
                      Int((Double(width) * sine + Double(height) * cosine).rounded(.up))))
            // libgd turns counter-clockwise; an angle of 0, 90, 180 or 270 is an exact copy of the pixels.
            let counterClockwise = (360 - degrees.truncatingRemainder(dividingBy: 360)).truncatingRemainder(dividingBy: 360)
            let color = Self.color(background.red, background.green, background.blue, background.alpha)
            try replace(with: made(sluice_gd_rotate(pointer, Float(counterClockwise), color), "rotate"))
        case .grayscale: try filter(sluice_gd_grayscale(pointer), "grayscale")
        case .negate: try filter(sluice_gd_negate(pointer), "negate")
        case let .brightness(value): try filter(sluice_gd_brightness(pointer, Int32(value)), "brightness")
        // libgd's contrast: negative is more; the task's: positive is more.
        case let .contrast(value): try filter(sluice_gd_contrast(pointer, Double(-value)), "contrast")
        case let .colorize(r, g, b, a): try filter(sluice_gd_color(pointer, Int32(r), Int32(g), Int32(b), Int32(a)), "colorize")
        case let .blur(sigma):
            let radius = max(1, Int32((sigma * 2).rounded(.up)))
            try replace(with: made(sluice_gd_gaussian_blurred(pointer, radius, sigma), "blur"))
        case let .sharpen(amount): sluice_gd_sharpen(pointer, Int32(amount))
        case let .pixelate(block): try filter(sluice_gd_pixelate(pointer, Int32(block)), "pixelate")
        case .emboss: try filter(sluice_gd_emboss(pointer), "emboss")
        case .edgeDetect: try filter(sluice_gd_edge_detect(pointer), "edge_detect")
        case let .smooth(weight): try filter(sluice_gd_smooth(pointer, Float(weight)), "smooth")
        }
    }

    /// The size `resize` gives a `width` × `height` image before any crop or padding: for `cover`, at least the box
    /// on both sides; `fill`, the box; `inside` and `contain`, within it. Each side at least 1.
    public static func resizedSize(width: Int, height: Int, toWidth: Int?, toHeight: Int?, fit: ImageOperation.Fit) -> (width: Int, height: Int) {
        let w = Double(width), h = Double(height)
        let sx = toWidth.map { Double($0) / w }, sy = toHeight.map { Double($0) / h }
        let scale: Double
        switch (sx, sy) {
        case let (x?, y?):
            switch fit {
            case .fill: return (toWidth!, toHeight!)
            case .cover: return (max(toWidth!, Int((w * max(x, y)).rounded())), max(toHeight!, Int((h * max(x, y)).rounded())))
            case .inside, .contain: scale = min(x, y)
            }
        case let (x?, nil): scale = x
        case let (nil, y?): scale = y
        case (nil, nil): return (width, height)
        }
        return (max(1, min(toWidth ?? .max, Int((w * scale).rounded()))), max(1, min(toHeight ?? .max, Int((h * scale).rounded()))))
    }

    private func resize(to size: (width: Int, height: Int), fit: ImageOperation.Fit, box: (Int, Int), kernel: ImageOperation.Kernel,
                        background: RGBA) throws(ImagingError) {
        if size.width != width || size.height != height {
            try replace(with: made(sluice_gd_scale(pointer, kernel.method, Int32(size.width), Int32(size.height)), "resize"))
        }
        switch fit {
        case .cover where size.width != box.0 || size.height != box.1:
            let x = (size.width - box.0) / 2, y = (size.height - box.1) / 2
            try replace(with: made(sluice_gd_crop(pointer, Int32(x), Int32(y), Int32(box.0), Int32(box.1)), "resize (cover)"))
        case .contain where size.width != box.0 || size.height != box.1:
            guard let canvas = sluice_gd_create_truecolor(Int32(box.0), Int32(box.1)) else { throw .invalidSize(width: box.0, height: box.1) }
            sluice_gd_alpha_blending(canvas, 0)
            sluice_gd_filled_rectangle(canvas, 0, 0, Int32(box.0 - 1), Int32(box.1 - 1),
                                       Self.color(background.red, background.green, background.blue, background.alpha))
            sluice_gd_alpha_blending(canvas, 1)
            sluice_gd_copy(canvas, pointer, Int32((box.0 - size.width) / 2), Int32((box.1 - size.height) / 2), 0, 0,
                           Int32(size.width), Int32(size.height))
            replace(with: canvas)
        default: break
        }
    }

    /// A new image libgd made, or the failure with libgd's reason.
    private func made(_ image: gdImagePtr?, _ what: String) throws(ImagingError) -> gdImagePtr {
        guard let image else { throw .operationFailed(Self.failure(what)) }
        return image
    }

    private func filter(_ succeeded: Int32, _ what: String) throws(ImagingError) {
        guard succeeded != 0 else { throw .operationFailed(Self.failure(what)) }
    }

    private static func failure(_ what: String) -> String {
        let detail = String(cString: sluice_gd_take_error())
        return "\(what) failed in libgd" + (detail.isEmpty ? "" : ": \(detail)")
    }
}

extension ImageOperation.Kernel {
    /// libgd's interpolation method.
    var method: Int32 {
        switch self {
        case .nearest: return Int32(GD_NEAREST_NEIGHBOUR.rawValue)
        case .bilinear: return Int32(GD_BILINEAR_FIXED.rawValue)
        case .bicubic: return Int32(GD_BICUBIC_FIXED.rawValue)
        case .lanczos3: return Int32(GD_LANCZOS3.rawValue)
        }
    }
}
