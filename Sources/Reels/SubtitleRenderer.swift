import CASS
public import Contracts
import Foundation
public import Media
public import Pipeline

/// Burns subtitles into pictures with libass: the lines become an ASS script styled by the template, placed
/// bottom-centre inside the platform's safe area (the margins keep clear of the app's overlays).
/// Not thread-safe: one thread at a time renders with it (composition hands it to its drawing thread).
public final class SubtitleRenderer: @unchecked Sendable {
    private let library: OpaquePointer
    private let renderer: OpaquePointer
    private let track: UnsafeMutablePointer<ASS_Track>
    public let lines: [SubtitleLine]
    /// The box subtitles are kept inside, in output pixels.
    public let safeBox: PixelRect

    public convenience init(lines: [SubtitleLine], template: ReelTemplate, safeArea: PlatformPreset.SafeArea) throws {
        let box = Self.safeBox(template: template, safeArea: safeArea)
        // Padding inside the safe box so the outline never touches its edge.
        let padding = Int((template.subtitles.outline * 2).rounded(.up)) + 8
        let script = Self.script(
            lines: lines,
            template: template,
            marginLeft: box.x + padding,
            marginRight: template.width - box.x - box.width + padding,
            marginBottom: template.height - box.y - box.height + padding
        )
        try self.init(script: script, lines: lines, font: template.subtitles.font, template: template, safeBox: box)
    }

    /// A text card: `card.text` centred in the safe area for `seconds`, large, in the card's colour and font.
    public convenience init(card: TextCard, seconds: Double, template: ReelTemplate, safeArea: PlatformPreset.SafeArea) throws {
        let box = Self.safeBox(template: template, safeArea: safeArea)
        let line = SubtitleLine(text: card.text, start: 0, end: seconds + 1)
        var style = template.subtitles
        style.font = card.font
        style.colour = card.colour
        style.outlineColour = card.background
        style.size = max(style.size, template.width / 14)
        style.box = false
        style.outline = 0
        var styled = template
        styled.subtitles = style
        // Middle-centre (ASS alignment 5) instead of the subtitles' bottom-centre.
        let script = Self.script(
            lines: [line],
            template: styled,
            marginLeft: box.x + template.width / 12,
            marginRight: template.width - box.x - box.width + template.width / 12,
            marginBottom: 0,
            alignment: 5
        )
        try self.init(script: script, lines: [line], font: card.font, template: template, safeBox: box)
    }

    static func safeBox(template: ReelTemplate, safeArea: PlatformPreset.SafeArea) -> PixelRect {
        let left = Int((safeArea.left * Double(template.width)).rounded(.up))
        let right = Int((safeArea.right * Double(template.width)).rounded(.up))
        let top = Int((safeArea.top * Double(template.height)).rounded(.up))
        let bottom = Int((safeArea.bottom * Double(template.height)).rounded(.up))
        return PixelRect(x: left, y: top, width: template.width - left - right, height: template.height - top - bottom)
    }

    private init(script: String, lines: [SubtitleLine], font: String, template: ReelTemplate, safeBox: PixelRect) throws {
        self.lines = lines
        self.safeBox = safeBox
        let width = template.width
        let height = template.height
        // Composing reels together sets up one renderer per reel on threads of their own. Setting up loads
        // fontconfig's configuration and sorts the system fonts (`FcFontSort`, which fontconfig documents as not
        // safe to call from several threads), so one renderer sets up at a time; rendering needs no lock, as
        // each renderer has its own library, fonts and thread.
        Self.setup.lock()
        defer { Self.setup.unlock() }
        guard let library = ass_library_init() else { throw ReelError("libass could not start") }
        drsocial_ass_silence(library)
        guard let renderer = ass_renderer_init(library) else {
            ass_library_done(library)
            throw ReelError("libass could not start its renderer")
        }
        ass_set_frame_size(renderer, Int32(width), Int32(height))
        ass_set_fonts(renderer, nil, font, Int32(ASS_FONTPROVIDER_AUTODETECT.rawValue), nil, 1)
        var script = script
        let made = script.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { ass_read_memory(library, UnsafeMutablePointer(mutating: $0.baseAddress), $0.count, nil) }
        }
        guard let made else {
            ass_renderer_done(renderer)
            ass_library_done(library)
            throw ReelError("libass refused the subtitle script")
        }
        self.library = library
        self.renderer = renderer
        self.track = made
    }

    /// Held while a renderer sets up or is torn down (see `init`): both load or free fontconfig's state.
    private static let setup = NSLock()

    deinit {
        Self.setup.lock()
        defer { Self.setup.unlock() }
        ass_free_track(track)
        ass_renderer_done(renderer)
        ass_library_done(library)
    }

    /// The ASS script: one style from the template, one event per line.
    static func script(
        lines: [SubtitleLine],
        template: ReelTemplate,
        marginLeft: Int,
        marginRight: Int,
        marginBottom: Int,
        alignment: Int = 2
    ) -> String {
        func colour(_ hex: String, alpha: UInt8 = 0) -> String {
            let (r, g, b) = ReelTemplate.rgb(hex) ?? (255, 255, 255)
            return String(format: "&H%02X%02X%02X%02X", alpha, b, g, r)
        }
        func time(_ seconds: Double) -> String {
            let centis = Int((max(seconds, 0) * 100).rounded())
            return String(format: "%d:%02d:%02d.%02d", centis / 360_000, centis / 6000 % 60, centis / 100 % 60, centis % 100)
        }
        let style = template.subtitles
        // With a box (ASS border style 3) the outline colour fills the box, at the template's opacity.
        let outline =
            style.box
            ? colour(style.outlineColour, alpha: UInt8(((1 - style.boxOpacity) * 255).rounded()))
            : colour(style.outlineColour)
        var text = """
            [Script Info]
            ScriptType: v4.00+
            PlayResX: \(template.width)
            PlayResY: \(template.height)
            WrapStyle: 0
            ScaledBorderAndShadow: yes

            [V4+ Styles]
            Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
            Style: Default,\(style.font),\(style.size),\(colour(style.colour)),\(colour(style.colour)),\(outline),\(colour("#000000", alpha: 0x80)),\(style.bold ? -1 : 0),0,0,0,100,100,0,0,\(style.box ? 3 : 1),\(style.outline),0,\(alignment),\(marginLeft),\(marginRight),\(marginBottom),1

            [Events]
            Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text

            """
        for line in lines {
            // Override blocks and escapes are not the talent's to write.
            let safe = line.text.replacingOccurrences(of: "\\", with: "/").replacingOccurrences(of: "{", with: "(")
                .replacingOccurrences(of: "}", with: ")").replacingOccurrences(of: "\n", with: " ")
            text += "Dialogue: 0,\(time(line.start)),\(time(line.end)),Default,,0,0,0,,\(safe)\n"
        }
        return text
    }

    /// Draws the subtitles showing at `seconds` onto `picture`; returns the bounding box of what was drawn.
    @discardableResult
    public func burn(into picture: inout YUVPicture, at seconds: Double) -> PixelRect? {
        var changed: Int32 = 0
        var image = ass_render_frame(renderer, track, Int64((seconds * 1000).rounded()), &changed)
        var minX = Int.max
        var minY = Int.max
        var maxX = Int.min
        var maxY = Int.min
        while let current = image {
            let layer = current.pointee
            if layer.w > 0, layer.h > 0, let bitmap = layer.bitmap {
                Self.blend(layer, bitmap: bitmap, into: &picture)
                minX = min(minX, Int(layer.dst_x))
                minY = min(minY, Int(layer.dst_y))
                maxX = max(maxX, Int(layer.dst_x + layer.w))
                maxY = max(maxY, Int(layer.dst_y + layer.h))
            }
            image = layer.next
        }
        guard minX <= maxX else { return nil }
        return PixelRect(x: minX, y: minY, width: maxX - minX, height: maxY - minY)
    }

    /// Alpha-blends one libass layer (an 8-bit coverage bitmap in one colour) into a 4:2:0 picture.
    static func blend(_ layer: ASS_Image, bitmap: UnsafeMutablePointer<UInt8>, into picture: inout YUVPicture) {
        let r = Double(layer.color >> 24 & 0xFF)
        let g = Double(layer.color >> 16 & 0xFF)
        let b = Double(layer.color >> 8 & 0xFF)
        let opacity = 255 - Int(layer.color & 0xFF)
        let y = Int(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255)
        let u = Int(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255)
        let v = Int(128 + (112 * r - 93.786 * g - 18.214 * b) / 255)
        let width = picture.width
        let height = picture.height
        let x0 = max(0, Int(layer.dst_x))
        let y0 = max(0, Int(layer.dst_y))
        let x1 = min(width, Int(layer.dst_x + layer.w))
        let y1 = min(height, Int(layer.dst_y + layer.h))
        guard x0 < x1, y0 < y1 else { return }
        let stride = Int(layer.stride)
        let originX = Int(layer.dst_x)
        let originY = Int(layer.dst_y)
        // Coverage × opacity, 0…255, of a picture pixel; 0 outside the layer.
        func coverage(_ x: Int, _ y: Int) -> Int {
            guard x >= x0, x < x1, y >= y0, y < y1 else { return 0 }
            return Int(bitmap[(y - originY) * stride + (x - originX)]) * opacity / 255
        }
        // (p·(255−a) + c·a + 127) / 255, which is exactly c when a = 255 (the opaque box, most of a layer).
        func mix(_ pixel: UInt8, _ colour: Int, _ alpha: Int) -> UInt8 {
            alpha == 255 ? UInt8(colour) : UInt8((Int(pixel) * (255 - alpha) + colour * alpha + 127) / 255)
        }
        picture.luma.withUnsafeMutableBufferPointer { plane in
            guard let luma = plane.baseAddress else { return }
            for row in y0..<y1 {
                let source = bitmap + (row - originY) * stride - originX
                let target = luma + row * width
                for column in x0..<x1 {
                    let alpha = Int(source[column]) * opacity / 255
                    if alpha > 0 { target[column] = mix(target[column], y, alpha) }
                }
            }
        }
        let chromaWidth = width / 2
        picture.blue.withUnsafeMutableBufferPointer { blue in
            picture.red.withUnsafeMutableBufferPointer { red in
                guard let blue = blue.baseAddress, let red = red.baseAddress else { return }
                for row in (y0 / 2)...((y1 - 1) / 2) {
                    for column in (x0 / 2)...((x1 - 1) / 2) {
                        let alpha =
                            (coverage(2 * column, 2 * row) + coverage(2 * column + 1, 2 * row)
                                + coverage(2 * column, 2 * row + 1) + coverage(2 * column + 1, 2 * row + 1)) / 4
                        guard alpha > 0 else { continue }
                        let at = row * chromaWidth + column
                        blue[at] = mix(blue[at], u, alpha)
                        red[at] = mix(red[at], v, alpha)
                    }
                }
            }
        }
    }
}

/// A reel could not be composed; the message says why, in the operator's words.
public struct ReelError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
