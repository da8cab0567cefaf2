import Foundation
import Formatting

/// A self-contained SVG chart: points joined by lines or scattered, optional whiskers, optional
/// logarithmic x axis, labelled vertical markers (cache sizes, TLB reach, …). No scripts, no
/// external fonts or files: it renders in any browser and in rsvg-convert.
public struct SVGChart: Sendable {
    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double
        /// Optional whisker (e.g. p50 with a p99 whisker, or min–max).
        public var low: Double?
        public var high: Double?
        public var label: String?

        public init(x: Double, y: Double, low: Double? = nil, high: Double? = nil, label: String? = nil) {
            self.x = x; self.y = y; self.low = low; self.high = high; self.label = label
        }
    }

    public struct Series: Sendable {
        public var name: String
        public var points: [Point]
        /// Join the points with a line (a curve) or leave them as dots (a scatter).
        public var connected: Bool

        public init(name: String, points: [Point], connected: Bool = true) {
            self.name = name; self.points = points; self.connected = connected
        }
    }

    public struct Marker: Sendable {
        public var x: Double
        public var label: String
        /// Line and label colour, so that kinds of marker (cache sizes, TLB reach…) differ.
        public var color: String

        public init(x: Double, label: String, color: String = "#777") { self.x = x; self.label = label; self.color = color }
    }

    public enum Scale: Sendable { case linear, log2, log10 }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xScale: Scale
    public var yScale: Scale
    public var series: [Series]
    public var markers: [Marker]
    /// Formats tick labels on the x axis (e.g. bytes as 4K, 1M).
    public var xTickFormat: @Sendable (Double) -> String
    public var width = 900.0
    public var height = 520.0

    public init(title: String, xLabel: String, yLabel: String, xScale: Scale = .linear, yScale: Scale = .linear,
                series: [Series], markers: [Marker] = [],
                xTickFormat: @escaping @Sendable (Double) -> String = { NumberFormat.compact($0) }) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
        self.xScale = xScale; self.yScale = yScale
        self.series = series; self.markers = markers; self.xTickFormat = xTickFormat
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"]

    private func transform(_ v: Double, _ scale: Scale) -> Double {
        switch scale {
        case .linear: return v
        case .log2: return log2(max(v, .leastNormalMagnitude))
        case .log10: return log10(max(v, .leastNormalMagnitude))
        }
    }

    /// The SVG document.
    public func render() -> String {
        let left = 80.0, right = 30.0, bottom = 70.0
        // Legend entries flow in rows between the title and the plot; the plot starts below them.
        var legend: [(x: Double, row: Int)] = []
        var legendX = left, legendRow = 0
        for s in series {
            let itemWidth = 15 + Double(s.name.count) * 7 + 24
            if legendX > left && legendX + itemWidth - 24 > width - right {
                legendRow += 1
                legendX = left
            }
            legend.append((legendX, legendRow))
            legendX += itemWidth
        }
        let top = 58.0 + Double(legendRow) * 16
        let plotW = width - left - right, plotH = height - top - bottom
        let points = series.flatMap(\.points)
        let xs = points.map(\.x) + markers.map(\.x)
        let ys = points.flatMap { [$0.y, $0.low ?? $0.y, $0.high ?? $0.y] }
        guard let xMin0 = xs.min(), let xMax0 = xs.max(), let yMax0 = ys.max() else {
            return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\"></svg>\n"
        }
        let yMin0 = yScale == .linear ? min(0, ys.min() ?? 0) : (ys.filter { $0 > 0 }.min() ?? 1)
        var (x0, x1) = (transform(xMin0, xScale), transform(xMax0, xScale))
        if x1 - x0 < 1e-9 { x0 -= 1; x1 += 1 }
        let pad = (x1 - x0) * 0.03
        x0 -= pad; x1 += pad
        var (y0, y1) = (transform(yMin0, yScale), transform(yMax0, yScale))
        if y1 - y0 < 1e-9 { y1 = y0 + 1 }
        // Room above the data for the marker labels; on a log axis room below too, so the
        // lowest points do not sit on the frame.
        let span = y1 - y0
        y1 += span * 0.16
        if yScale != .linear { y0 -= span * 0.04 }
        func px(_ x: Double) -> Double { left + (transform(x, xScale) - x0) / (x1 - x0) * plotW }
        func py(_ y: Double) -> Double { top + plotH - (transform(y, yScale) - y0) / (y1 - y0) * plotH }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(f(width / 2))" y="22" text-anchor="middle" font-size="16">\(escape(title))</text>

            """
        // Axes and ticks.
        svg += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#444\"/>\n"
        for tick in ticks(from: x0, to: x1, scale: xScale) {
            let x = px(tick)
            svg += "<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(top + plotH))\" stroke=\"#eee\"/>\n"
            svg += "<text x=\"\(f(x))\" y=\"\(f(top + plotH + 16))\" text-anchor=\"middle\">\(escape(xTickFormat(tick)))</text>\n"
        }
        for tick in ticks(from: y0, to: y1, scale: yScale) {
            let y = py(tick)
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y))\" stroke=\"#eee\"/>\n"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(escape(NumberFormat.compact(tick)))</text>\n"
        }
        svg += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 20))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        svg += "<text transform=\"translate(18 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
        // Markers: labels go on the first row where they overlap no earlier label, and turn
        // to the left of their line near the right edge.
        var rowEnds: [Double] = []
        for marker in markers.sorted(by: { $0.x < $1.x }) {
            let x = px(marker.x)
            let textWidth = Double(marker.label.count) * 6.2
            let leftward = x + 3 + textWidth > left + plotW
            let (start, end) = leftward ? (x - 3 - textWidth, x - 3) : (x + 3, x + 3 + textWidth)
            let row = rowEnds.firstIndex { $0 < start } ?? rowEnds.count
            if row == rowEnds.count { rowEnds.append(end) } else { rowEnds[row] = end }
            let color = escape(marker.color)
            svg += "<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(top + plotH))\" stroke=\"\(color)\" stroke-dasharray=\"4 3\"/>\n"
            svg += "<text x=\"\(f(leftward ? x - 3 : x + 3))\" y=\"\(f(top + 12 + Double(row) * 13))\" fill=\"\(color)\" font-size=\"11\""
                + (leftward ? " text-anchor=\"end\"" : "") + ">\(escape(marker.label))</text>\n"
        }
        // Series.
        for (i, s) in series.enumerated() {
            let color = Self.palette[i % Self.palette.count]
            let sorted = s.connected ? s.points.sorted { $0.x < $1.x } : s.points
            for p in sorted {
                if let low = p.low, let high = p.high {
                    svg += "<line x1=\"\(f(px(p.x)))\" y1=\"\(f(py(low)))\" x2=\"\(f(px(p.x)))\" y2=\"\(f(py(high)))\" stroke=\"\(color)\" stroke-width=\"1.5\"/>\n"
                }
            }
            if s.connected && sorted.count > 1 {
                let path = sorted.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
                svg += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            }
            for p in sorted {
                svg += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"3.5\" fill=\"\(color)\"/>\n"
                if let label = p.label {
                    svg += "<text x=\"\(f(px(p.x) + 5))\" y=\"\(f(py(p.y) - 5))\" font-size=\"10\" fill=\"\(color)\">\(escape(label))</text>\n"
                }
            }
            // Legend: rows between the title and the plot, clear of the markers' labels.
            let (lx, row) = legend[i]
            let ly = 46 + Double(row) * 16
            svg += "<rect x=\"\(f(lx))\" y=\"\(f(ly - 9))\" width=\"10\" height=\"10\" fill=\"\(color)\"/>\n"
            svg += "<text x=\"\(f(lx + 15))\" y=\"\(f(ly))\">\(escape(s.name))</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    /// Tick positions in data units.
    private func ticks(from t0: Double, to t1: Double, scale: Scale) -> [Double] {
        switch scale {
        case .log2:
            let step = max(1, Int(((t1 - t0) / 12).rounded(.up)))
            return stride(from: Int(t0.rounded(.up)), through: Int(t1.rounded(.down)), by: step).map { pow(2, Double($0)) }
        case .log10:
            // 1-2-5 in each decade when there are few decades, powers of ten otherwise.
            let steps: [Double] = t1 - t0 <= 3.5 ? [1, 2, 5] : [1]
            var values: [Double] = []
            for decade in Int(t0.rounded(.down))...Int(t1.rounded(.up)) {
                for step in steps {
                    let value = step * pow(10, Double(decade))
                    if log10(value) >= t0 - 1e-9 && log10(value) <= t1 + 1e-9 { values.append(value) }
                }
            }
            return values
        case .linear:
            let span = t1 - t0
            let raw = span / 6
            let magnitude = pow(10, floor(log10(raw)))
            let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
            return stride(from: (t0 / step).rounded(.up) * step, through: t1, by: step).map { $0 }
        }
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
