import Harness
import Plotting

/// Time per element of every Swift layout against the flat footprint, with the data caches
/// marked: the curves part where the structures outgrow the caches.
struct LayoutPlot {
    let results: [VariantResult]
    let machine: MachineInfo

    var plots: [Plot] {
        let variants = Layout().variants.map(\.name).filter { !CTwin.isTwin($0) }
        let series = variants.compactMap { variant -> SVGChart.Series? in
            let points = results.filter { $0.variant == variant }.sorted { $0.sizeBytes < $1.sizeBytes }.map {
                SVGChart.Point(x: Double($0.sizeBytes), y: $0.nsPerElement.median,
                               low: $0.nsPerElement.min, high: $0.nsPerElement.max)
            }
            return points.isEmpty ? nil : SVGChart.Series(name: variant, points: points)
        }
        guard !series.isEmpty else { return [] }
        let chart = SVGChart(
            title: "layout: ns per element (median, min–max) against the flat array's footprint",
            xLabel: "flat footprint (16-byte elements)", yLabel: "ns per element", xScale: .log2, yScale: .log10,
            series: series,
            markers: machine.dataCaches.map { SVGChart.Marker(x: Double($0.sizeBytes), label: "\($0.name) \(ByteSize(rawValue: $0.sizeBytes))") },
            xTickFormat: NumberFormat.bytes)
        return [Plot(fileName: "layout.svg", svg: chart.render())]
    }
}
