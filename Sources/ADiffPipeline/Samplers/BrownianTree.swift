import Foundation

/// torchsde's `BrownianTree` (a halfway `BrownianInterval` with tol 1e-6 and a 24-word seed
/// pool), as the WebUI uses it for the SDE samplers (a1111-compat §5.6).
///
/// Intervals split at their (rounded) midpoints, so the sample path depends only on the
/// entropy, not on the order of queries. Each split draws its bridge noise from a fresh
/// generator seeded from numpy's `SeedSequence(entropy, spawn_key: (key, depth))`; the WebUI
/// substitutes its own noise source for torch's, so `randn(seed)` is "first draw of a fresh
/// generator of the chosen RNG seeded with `seed`". Increments are recomputed from the root
/// on demand with a small cache (torchsde keeps 45), so memory stays bounded.
final class BrownianTree {
    /// A node of the dyadic interval tree.
    private final class Node {
        let start: Double
        let end: Double
        unowned(unsafe) let parent: Node?
        let isLeft: Bool
        var midway: Double?
        var key = 0
        var depth = 0
        var splitSeed: UInt32 = 0
        var left: Node?
        var right: Node?

        init(start: Double, end: Double, parent: Node?, isLeft: Bool) {
            self.start = BrownianTree.round6(start)
            self.end = BrownianTree.round6(end)
            self.parent = parent
            self.isLeft = isLeft
        }
    }

    private let root: Node
    private let rootIncrement: [Float]
    private let entropy: UInt64
    private let count: Int
    private let randn: (UInt32) -> [Float]
    private var cache: [ObjectIdentifier: [Float]] = [:]
    private var cacheOrder: [ObjectIdentifier] = []
    private static let cacheSize = 45

    /// A tree over [t0, t1] (t0 < t1) for tensors of `count` elements.
    init(t0: Double, t1: Double, entropy: UInt64, count: Int, randn: @escaping (UInt32) -> [Float]) {
        self.entropy = entropy
        self.count = count
        self.randn = randn
        root = Node(start: t0, end: t1, parent: nil, isLeft: false)
        let seed = SeedSequence(entropy: entropy, poolSize: 24).state(1)[0]
        let scale = Float((t1 - t0).squareRoot())
        rootIncrement = randn(seed).map { $0 * scale }
    }

    /// W(tb) − W(ta) for ta ≤ tb, clamped to the tree's range.
    func increment(from ta: Double, to tb: Double) -> [Float] {
        let a = Self.round6(min(max(ta, root.start), root.end))
        let b = Self.round6(min(max(tb, root.start), root.end))
        guard a < b else { return [Float](repeating: 0, count: count) }
        var nodes: [Node] = []
        locate(a, b, in: root, into: &nodes)
        var total = incrementOf(nodes[0])
        for node in nodes.dropFirst() {
            let part = incrementOf(node)
            for i in 0..<count { total[i] += part[i] }
        }
        return total
    }

    private func locate(_ a: Double, _ b: Double, in node: Node, into out: inout [Node]) {
        if a == node.start && b == node.end {
            out.append(node)
            return
        }
        if node.midway == nil {
            split(node, toward: a == node.start ? b : a)
        }
        let midway = node.midway!
        if b <= midway {
            locate(a, b, in: node.left!, into: &out)
        } else if a >= midway {
            locate(a, b, in: node.right!, into: &out)
        } else {
            locate(a, midway, in: node.left!, into: &out)
            locate(midway, b, in: node.right!, into: &out)
        }
    }

    /// Halves `node`, then keeps halving the side holding `point` until it is a boundary.
    private func split(_ node: Node, toward point: Double) {
        var current = node
        while true {
            if current.midway == nil { splitExactly(current) }
            let midway = current.midway!
            if point > midway {
                current = current.right!
            } else if point < midway {
                current = current.left!
            } else {
                return
            }
        }
    }

    private func splitExactly(_ node: Node) {
        let midway = 0.5 * (node.end + node.start)
        node.midway = Self.round6(midway)
        if let parent = node.parent {
            node.key = 2 * parent.key + (node.isLeft ? 0 : 1)
            node.depth = parent.depth + 1
        }
        node.splitSeed = SeedSequence(
            entropy: entropy, spawnKey: [UInt64(node.key), UInt64(node.depth)], poolSize: 24
        ).state(1)[0]
        node.left = Node(start: node.start, end: midway, parent: node, isLeft: true)
        node.right = Node(start: midway, end: node.end, parent: node, isLeft: false)
    }

    /// The node's increment from its parent's by the Brownian bridge, in torchsde's float32
    /// operation order.
    private func incrementOf(_ node: Node) -> [Float] {
        guard let parent = node.parent else { return rootIncrement }
        let id = ObjectIdentifier(node)
        if let cached = cache[id] { return cached }
        let parentIncrement = incrementOf(parent)
        let midway = parent.midway!
        let reciprocal = 1 / (parent.end - parent.start)
        let leftDiff = midway - parent.start
        let rightDiff = parent.end - midway
        let meanScale = Float(leftDiff)
        let reciprocalScale = Float(reciprocal)
        let deviation = Float((leftDiff * rightDiff * reciprocal).squareRoot())
        let noise = randn(parent.splitSeed)
        var result = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let leftIncrement = (meanScale * parentIncrement[i]) * reciprocalScale + deviation * noise[i]
            result[i] = node.isLeft ? leftIncrement : parentIncrement[i] - leftIncrement
        }
        remember(id, result)
        return result
    }

    private func remember(_ id: ObjectIdentifier, _ value: [Float]) {
        if cache.count >= Self.cacheSize, let oldest = cacheOrder.first {
            cacheOrder.removeFirst()
            cache[oldest] = nil
        }
        cache[id] = value
        cacheOrder.append(id)
    }

    /// Python's `round(x, 6)`: correctly rounded to six decimals (glibc's printf rounds the
    /// exact binary value half-to-even, as CPython's dtoa does).
    static func round6(_ x: Double) -> Double {
        Double(String(format: "%.6f", x))!
    }
}
