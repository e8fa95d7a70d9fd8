//! The discrete-event core: simulated integer time and an event queue ordered by
//! (time, sequence number).
//!
//! Events scheduled for the same instant run in the order they were scheduled (FIFO), which
//! makes every run a pure function of its inputs. The queue keeps its allocation between runs
//! ([`EventQueue::clear`]), so a hot loop that reuses one queue allocates nothing per event once
//! the heap has grown to its working size. No wall clock, no I/O.
//!
//! Architecture invariant: `des` knows no model, no network and no spec: it orders events by
//! (time, sequence) and counts work; it does no I/O and reads no clock.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Simulated time, in the model's time unit (milliseconds for the propagation models).
pub type Time = u64;

/// The most work one run may do before it is stopped and recorded as failed. Work is counted,
/// never timed, so whether a run exceeds its budget is as deterministic as its rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Events the discrete-event core may process.
    pub events: u64,
    /// Messages the model may transmit over links (each copy of a relayed message counts).
    pub messages: u64,
    /// Bytes a run's parameter-sized state (graphs, schedules, walks, message lists) may take,
    /// by the family's estimate ([`Memory`]) made before the run allocates it.
    pub memory: u64,
}

impl Budget {
    /// 200 million events and 5 billion messages: about 13 times the largest shipped run (one
    /// simulated hour of the management paper's chain: 15 million events, 350 million messages,
    /// about 2 s), so that a run that cannot progress fails within about half a minute.
    ///
    /// 4 GiB of memory: a fixed figure, not a share of the machine, so that whether a run fits
    /// depends on its spec alone (never on the machine or on `--jobs`); the largest shipped run
    /// estimates under 100 MB.
    pub const DEFAULT: Budget = Budget {
        events: 200_000_000,
        messages: 5_000_000_000,
        memory: 4 << 30,
    };
}

/// What a run's parameters make it allocate, estimated before it does: bytes and what they
/// hold (say "a crash schedule of 3600000 intervals"). Fixed overheads of a few megabytes are
/// left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Memory {
    /// Estimated bytes.
    pub bytes: u64,
    /// The parameter that sizes them (the one a refusal blames; "" for none).
    pub key: &'static str,
    /// What they hold, for the message of a run over [`Budget::memory`].
    pub what: String,
}

impl Memory {
    /// `bytes`, sized by parameter `key`, holding `what`.
    pub fn of(bytes: u64, key: &'static str, what: impl Into<String>) -> Memory {
        Memory {
            bytes,
            key,
            what: what.into(),
        }
    }

    /// This and `other` together (blaming the larger one's parameter).
    pub fn and(self, other: Memory) -> Memory {
        if other.bytes == 0 {
            return self;
        }
        if self.bytes == 0 {
            return other;
        }
        Memory {
            bytes: self.bytes.saturating_add(other.bytes),
            key: if other.bytes > self.bytes {
                other.key
            } else {
                self.key
            },
            what: format!("{} and {}", self.what, other.what),
        }
    }

    /// The refusal or failed-row text of an estimate over `budget`'s memory.
    pub fn over(&self, budget: &Budget) -> String {
        format!(
            "the run needs about {} of memory ({}), over budget.memory = {}; raise [budget] memory in the experiment file (a number of bytes or a size such as \"16 GiB\") if the machine has it",
            size(self.bytes),
            self.what,
            size(budget.memory)
        )
    }
}

/// `bytes` in the largest binary unit that keeps it at least 1 (one decimal).
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < UNITS.len() {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[i])
    }
}

impl Budget {
    /// Whether a run that has processed `events` events and sent `messages` messages has spent
    /// the budget (a run stops as soon as this holds; every family's loop asks it).
    #[inline]
    pub fn spent(&self, events: u64, messages: u64) -> bool {
        events >= self.events || messages >= self.messages
    }

    /// The reason recorded in the failed row of a run that spent the budget: `when` says
    /// where the run stood (say "at 3.000 s of simulated time (of 60.000 s)"), `hint` what
    /// may keep it from progressing (empty: none).
    pub fn overrun(&self, events: u64, messages: u64, when: &str, hint: &str) -> String {
        format!(
            "run budget spent {when}: {events} events processed (budget.events = {}), {messages} messages sent (budget.messages = {}); if the run is meant to be this long, raise [budget] in the experiment file and re-run with --retry-failed{}{hint}",
            self.events,
            self.messages,
            if hint.is_empty() { "" } else { ", else " },
        )
    }
}

/// A run stopped on its [`Budget`]: the events it processed and the reason its failed row
/// records ([`Budget::overrun`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spent {
    /// Events processed before the stop.
    pub events: u64,
    /// Which limit, where the run stood, what to do.
    pub reason: String,
}

impl Default for Budget {
    fn default() -> Self {
        Budget::DEFAULT
    }
}

struct Entry<E> {
    time: Time,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    // Reversed, so that std's max-heap pops the earliest (time, seq) first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// A priority queue of events keyed by (time, sequence number).
///
/// Events less than `horizon` ticks ahead live in a ring of FIFO buckets, one per tick, which
/// makes scheduling and popping O(1); later events wait in an overflow heap and move into the
/// ring, in (time, seq) order, as soon as their tick enters the window. Every overflow event
/// for a tick was scheduled before any event that goes straight into that tick's bucket, so the
/// order is exactly that of a heap on (time, seq).
pub struct EventQueue<E: Copy> {
    buckets: Vec<Vec<E>>,
    mask: u64,
    /// Next index to pop in the bucket of `now`.
    cursor: usize,
    /// Events waiting in the ring.
    in_ring: usize,
    overflow: BinaryHeap<Entry<E>>,
    next_seq: u64,
    now: Time,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue at time 0 with a 256-tick ring.
    pub fn new() -> Self {
        Self::with_horizon(255)
    }

    /// An empty queue whose ring covers events up to `horizon` ticks ahead.
    pub fn with_horizon(horizon: Time) -> Self {
        let mut q = EventQueue {
            buckets: Vec::new(),
            mask: 0,
            cursor: 0,
            in_ring: 0,
            overflow: BinaryHeap::new(),
            next_seq: 0,
            now: 0,
        };
        q.set_horizon(horizon);
        q
    }

    /// Empties the queue, resets time and sequence numbers, and sizes the ring for events up
    /// to `horizon` ticks ahead (at most 65 536; later ones use the overflow heap). Keeps the
    /// allocations.
    pub fn reset_with_horizon(&mut self, horizon: Time) {
        for b in &mut self.buckets {
            b.clear();
        }
        self.overflow.clear();
        self.cursor = 0;
        self.in_ring = 0;
        self.next_seq = 0;
        self.now = 0;
        self.set_horizon(horizon);
    }

    fn set_horizon(&mut self, horizon: Time) {
        let len = (horizon.min(1 << 16) + 1).next_power_of_two() as usize;
        if self.buckets.len() != len {
            self.buckets.resize_with(len, Vec::new);
            self.mask = len as u64 - 1;
        }
    }

    /// Empties the queue and resets time and sequence numbers, keeping the allocation.
    pub fn clear(&mut self) {
        let h = self.mask;
        self.reset_with_horizon(h);
    }

    /// The time of the last event popped.
    pub fn now(&self) -> Time {
        self.now
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.in_ring + self.overflow.len()
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Schedules `event` at `time`, which must not lie in the past.
    #[inline]
    pub fn schedule(&mut self, time: Time, event: E) {
        debug_assert!(time >= self.now, "event scheduled in the past");
        let seq = self.next_seq;
        self.next_seq += 1;
        if time - self.now <= self.mask {
            self.buckets[(time & self.mask) as usize].push(event);
            self.in_ring += 1;
        } else {
            self.overflow.push(Entry { time, seq, event });
        }
    }

    /// Pops the earliest event and advances time to it.
    #[inline]
    pub fn pop(&mut self) -> Option<(Time, E)> {
        loop {
            let bucket = &mut self.buckets[(self.now & self.mask) as usize];
            if self.cursor < bucket.len() {
                let e = bucket[self.cursor];
                self.cursor += 1;
                self.in_ring -= 1;
                return Some((self.now, e));
            }
            bucket.clear();
            self.cursor = 0;
            if self.in_ring == 0 {
                self.now = self.overflow.peek()?.time;
            } else {
                self.now += 1;
            }
            while let Some(top) = self.overflow.peek() {
                if top.time - self.now > self.mask {
                    break;
                }
                let Entry { time, event, .. } = self.overflow.pop().expect("peeked");
                self.buckets[(time & self.mask) as usize].push(event);
                self.in_ring += 1;
            }
        }
    }
}

/// A priority queue of events keyed by (time, sequence number), for models whose clock ticks
/// too finely for [`EventQueue`]'s ring (the blockchain models count nanoseconds). Same order
/// contract: earliest time first, FIFO among equal times.
///
/// An 8-ary min-heap over a flat array: a third of the depth of a binary heap (the PBFT
/// chains' 40 to 100 broadcasts in flight sit at most two levels below the root), its eight
/// children side by side in memory. Each entry's (time, seq) is packed into one `u128` (time
/// in the high half), so a comparison is two instructions with no branch, and a sift picks
/// the least of eight children as a three-round tournament the compiler turns into
/// conditional moves (measured on paper B's hour: 4-ary 1.50 s, 8-ary 1.40 s, 16-ary 1.65 s).
/// Events scheduled further ahead than [`HeapQueue::set_far_after`] (the PBFT chains' round
/// timers, a timeout ahead) wait in a second heap, and whichever top is earlier pops: the busy
/// heap holds only the broadcasts (paper A's 50-node run 13 % faster; paper B's hour, with
/// fewer timers per broadcast, unchanged). Keys are unique, so any correct heap pops in
/// exactly the same order; the tests compare it with std's `BinaryHeap`, with and without
/// events apart.
pub struct HeapQueue<E> {
    heap: Vec<Keyed<E>>,
    /// Events scheduled more than `far_after` ahead (timers) wait apart, so that the busy
    /// heap stays shallow; the earlier of the two tops pops, so the order is one heap's.
    far: BinaryHeap<Entry<E>>,
    far_after: Time,
    next_seq: u64,
    now: Time,
}

/// A heap entry: `key` = time << 64 | seq.
#[derive(Clone, Copy)]
struct Keyed<E> {
    key: u128,
    event: E,
}

#[inline]
fn heap_key(time: Time, seq: u64) -> u128 {
    (u128::from(time) << 64) | u128::from(seq)
}

#[inline]
fn key_time(key: u128) -> Time {
    (key >> 64) as Time
}

impl<E: Copy> Default for HeapQueue<E> {
    fn default() -> Self {
        HeapQueue {
            heap: Vec::new(),
            far: BinaryHeap::new(),
            far_after: Time::MAX,
            next_seq: 0,
            now: 0,
        }
    }
}

impl<E: Copy> HeapQueue<E> {
    /// Empties the queue and resets time and sequence numbers, keeping the allocation.
    pub fn clear(&mut self) {
        self.heap.clear();
        self.far.clear();
        self.next_seq = 0;
        self.now = 0;
    }

    /// Events scheduled more than `ticks` ahead wait apart from the others (any value gives
    /// the same order). The default, `Time::MAX`: none apart.
    pub fn set_far_after(&mut self, ticks: Time) {
        self.far_after = ticks;
    }

    /// Whether the earliest pending event waits apart.
    #[inline]
    fn far_first(&self) -> bool {
        match (self.far.peek(), self.heap.first()) {
            (Some(f), Some(h)) => heap_key(f.time, f.seq) < h.key,
            (Some(_), None) => true,
            _ => false,
        }
    }

    /// The time of the last event popped.
    pub fn now(&self) -> Time {
        self.now
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len() + self.far.len()
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The time of the earliest pending event.
    pub fn peek_time(&self) -> Option<Time> {
        self.peek().map(|(t, _)| t)
    }

    /// Schedules `event` at `time`, which must not lie in the past; returns its sequence
    /// number.
    #[inline]
    pub fn schedule(&mut self, time: Time, event: E) -> u64 {
        debug_assert!(time >= self.now, "event scheduled in the past");
        let seq = self.next_seq;
        self.next_seq += 1;
        self.push(Keyed {
            key: heap_key(time, seq),
            event,
        });
        seq
    }

    /// Schedules `event` at `time` with a sequence number handed out earlier. A batch of
    /// events created at once (one broadcast's deliveries) can then wait as a single entry
    /// that re-enters with its original number after each pop: the pop order is the same as
    /// if every event of the batch had been scheduled at creation, in the batch's order.
    #[inline]
    pub fn schedule_with_seq(&mut self, time: Time, seq: u64, event: E) {
        debug_assert!(time >= self.now, "event scheduled in the past");
        debug_assert!(seq < self.next_seq, "sequence number not handed out");
        self.push(Keyed {
            key: heap_key(time, seq),
            event,
        });
    }

    #[inline]
    fn push(&mut self, e: Keyed<E>) {
        if key_time(e.key) - self.now > self.far_after {
            self.far.push(Entry {
                time: key_time(e.key),
                seq: e.key as u64,
                event: e.event,
            });
            return;
        }
        let key = e.key;
        self.heap.push(e);
        let mut i = self.heap.len() - 1;
        while i > 0 {
            let parent = (i - 1) / 8;
            if key >= self.heap[parent].key {
                break;
            }
            self.heap.swap(i, parent);
            i = parent;
        }
    }

    /// The earliest pending event, left in place.
    #[inline]
    pub fn peek(&self) -> Option<(Time, &E)> {
        if self.far_first() {
            return self.far.peek().map(|e| (e.time, &e.event));
        }
        self.heap.first().map(|e| (key_time(e.key), &e.event))
    }

    /// Pops the earliest event (advancing time to it) and schedules `event` at `time` with the
    /// sequence number `seq` handed out earlier, as [`HeapQueue::pop`] then
    /// [`HeapQueue::schedule_with_seq`] would, with one sift instead of two: what a batch does
    /// when it hands out one event and waits for the next. Panics on an empty queue.
    #[inline]
    pub fn pop_and_reschedule(&mut self, time: Time, seq: u64, event: E) -> (Time, E) {
        debug_assert!(seq < self.next_seq, "sequence number not handed out");
        if self.far_first() {
            let popped = self.pop().expect("a pending event");
            self.schedule_with_seq(time, seq, event);
            return popped;
        }
        let top = std::mem::replace(
            &mut self.heap[0],
            Keyed {
                key: heap_key(time, seq),
                event,
            },
        );
        let t = key_time(top.key);
        debug_assert!(time >= t, "event scheduled in the past");
        self.sift_down(0);
        self.now = t;
        (t, top.event)
    }

    /// Moves the entry at `i` down to its place: children move up into the hole it leaves,
    /// and it is written once, where it stops.
    #[inline]
    fn sift_down(&mut self, mut i: usize) {
        let n = self.heap.len();
        let moving = self.heap[i];
        let key = moving.key;
        loop {
            let first = 8 * i + 1;
            let (best, best_key) = if first + 7 < n {
                // All eight children: a three-round tournament, free of unpredictable branches.
                let h = &self.heap[first..first + 8];
                let m2 = |a: usize, b: usize| if h[b].key < h[a].key { b } else { a };
                let (a, b, c, d) = (m2(0, 1), m2(2, 3), m2(4, 5), m2(6, 7));
                let (e, f) = (m2(a, b), m2(c, d));
                let g = m2(e, f);
                (first + g, h[g].key)
            } else if first < n {
                let mut best = first;
                for c in first + 1..n {
                    if self.heap[c].key < self.heap[best].key {
                        best = c;
                    }
                }
                (best, self.heap[best].key)
            } else {
                break;
            };
            if best_key >= key {
                break;
            }
            self.heap[i] = self.heap[best];
            i = best;
        }
        self.heap[i] = moving;
    }

    /// Pops the earliest event and advances time to it.
    #[inline]
    pub fn pop(&mut self) -> Option<(Time, E)> {
        if self.far_first() {
            let e = self.far.pop().expect("far first");
            self.now = e.time;
            return Some((e.time, e.event));
        }
        let last = self.heap.pop()?;
        let Keyed { key, event } = if self.heap.is_empty() {
            last
        } else {
            let top = std::mem::replace(&mut self.heap[0], last);
            self.sift_down(0);
            top
        };
        let time = key_time(key);
        self.now = time;
        Some((time, event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reference queue: a plain heap on (time, seq).
    fn reference_order(ops: &[(u64, u32)]) -> Vec<(u64, u32)> {
        let mut v: Vec<(u64, u64, u32)> = ops
            .iter()
            .enumerate()
            .map(|(i, &(t, e))| (t, i as u64, e))
            .collect();
        v.sort();
        v.into_iter().map(|(t, _, e)| (t, e)).collect()
    }

    #[test]
    fn ring_and_overflow_keep_heap_order() {
        // Events far beyond a tiny ring, and same-time ties across the ring/overflow boundary.
        let ops: Vec<(u64, u32)> = (0..2000u32)
            .map(|i| {
                (
                    (u64::from(i) * 7919) % 97 + if i % 5 == 0 { 300 } else { 0 },
                    i,
                )
            })
            .collect();
        let mut q = EventQueue::with_horizon(8);
        for &(t, e) in &ops {
            q.schedule(t, e);
        }
        let got: Vec<(u64, u32)> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(got, reference_order(&ops));
        assert!(q.is_empty());
    }

    #[test]
    fn events_scheduled_while_popping_keep_heap_order() {
        // Each popped event schedules two more at +0 and +d: a cascade like flooding.
        for horizon in [1, 4, 255] {
            let mut q = EventQueue::with_horizon(horizon);
            let mut log = Vec::new();
            let mut reference: std::collections::BinaryHeap<std::cmp::Reverse<(u64, u64, u32)>> =
                Default::default();
            let mut seq = 0;
            q.schedule(0, 1u32);
            reference.push(std::cmp::Reverse((0, seq, 1)));
            seq += 1;
            while let Some((t, e)) = q.pop() {
                let std::cmp::Reverse((rt, _, re)) = reference.pop().unwrap();
                assert_eq!((t, e), (rt, re));
                log.push(e);
                if e < 3000 {
                    for (d, child) in [(0, 2 * e), (u64::from(e % 13) * 3, 2 * e + 1)] {
                        q.schedule(t + d, child);
                        reference.push(std::cmp::Reverse((t + d, seq, child)));
                        seq += 1;
                    }
                }
            }
            assert!(reference.is_empty() && log.len() > 3000);
        }
    }

    #[test]
    fn same_time_events_pop_in_schedule_order() {
        let mut q = EventQueue::new();
        q.schedule(5, 'a');
        q.schedule(3, 'b');
        q.schedule(5, 'c');
        q.schedule(3, 'd');
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['b', 'd', 'a', 'c']);
        assert_eq!(q.now(), 5);
    }

    #[test]
    fn heap_queue_is_fifo_within_a_time() {
        let ops: Vec<(u64, u32)> = (0..500u32)
            .map(|i| ((u64::from(i) * 7919) % 37 * 1_000_000_007, i))
            .collect();
        let mut q = HeapQueue::default();
        for &(t, e) in &ops {
            q.schedule(t, e);
        }
        let got: Vec<(u64, u32)> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(got, reference_order(&ops));
    }

    #[test]
    fn heap_queue_pops_like_a_binary_heap_while_events_and_reentries_interleave() {
        // Random schedules, re-entries with old sequence numbers (as broadcast waves do) and
        // pops, against std's BinaryHeap on (time, seq); with no event apart, every event
        // apart, and some (those scheduled more than 300 ticks ahead).
        for far_after in [Time::MAX, 0, 300] {
            pops_like_a_binary_heap(far_after);
        }
    }

    fn pops_like_a_binary_heap(far_after: Time) {
        let mut q = HeapQueue::default();
        q.set_far_after(far_after);
        let mut reference: std::collections::BinaryHeap<std::cmp::Reverse<(u64, u64, u32)>> =
            Default::default();
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut rnd = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for i in 0..20_000u32 {
            let r = rnd();
            if r % 5 < 2 {
                let t = q.now() + (r >> 8) % 1000 + if r & (1 << 42) != 0 { 500 } else { 0 };
                let seq = q.schedule(t, i);
                reference.push(std::cmp::Reverse((t, seq, i)));
            } else {
                let want = reference.pop();
                let reenter = r & (1 << 40) != 0;
                if let (true, Some(std::cmp::Reverse((t, seq, e)))) = (r & (1 << 41) != 0, want) {
                    // Pop and re-enter in one step, as a wave hands out a delivery.
                    assert_eq!(q.peek(), Some((t, &e)), "step {i}");
                    let later = t + (r >> 8) % 50;
                    assert_eq!(q.pop_and_reschedule(later, seq, e), (t, e), "step {i}");
                    reference.push(std::cmp::Reverse((later, seq, e)));
                } else {
                    let got = q.pop();
                    assert_eq!(
                        got,
                        want.map(|std::cmp::Reverse((t, _, e))| (t, e)),
                        "step {i}"
                    );
                    // Half the popped events re-enter with their own sequence number.
                    if let Some(std::cmp::Reverse((t, seq, e))) = want
                        && reenter
                    {
                        let later = t + (r >> 8) % 50;
                        q.schedule_with_seq(later, seq, e);
                        reference.push(std::cmp::Reverse((later, seq, e)));
                    }
                }
            }
            assert_eq!(q.len(), reference.len());
        }
        while let Some(std::cmp::Reverse((t, _, e))) = reference.pop() {
            assert_eq!(q.pop(), Some((t, e)));
        }
        assert!(q.is_empty());
    }
}
