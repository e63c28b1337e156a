//! Interned values and the generic fact database every stage after lowering works on.
//!
//! crepe relations must be `Copy + Eq + Hash`, so names are interned to [`Sym`]s and numbers are
//! integers (percentages in basis points). Outside the generated engine, every relation is a
//! plain list of [`Tuple`]s indexed by its position in the rule program: explain, diff, sweep and
//! the reports never need to know the shape of a relation at compile time.

use std::sync::Arc;

/// An interned name (country, mineral, level, …). Ids below the number of rule constants are the
/// rule constants, in the order `build.rs` numbered them.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Sym(pub u32);

impl Sym {
    /// A placeholder never handed out by [`Symbols`]; only produced for a malformed tuple.
    pub const NONE: Sym = Sym(u32::MAX);
}

/// One field of a tuple.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Value {
    Sym(Sym),
    Num(i64),
}

impl Value {
    pub fn sym(&self) -> Sym {
        match self {
            Value::Sym(s) => *s,
            Value::Num(_) => Sym::NONE,
        }
    }

    pub fn num(&self) -> i64 {
        match self {
            Value::Num(n) => *n,
            Value::Sym(_) => 0,
        }
    }
}

/// One fact of a relation.
pub type Tuple = Box<[Value]>;

/// The symbol table: every name in a run, interned once.
#[derive(Clone, Debug)]
pub struct Symbols {
    names: Vec<String>,
    ids: rustc_hash::FxHashMap<String, Sym>,
}

impl Symbols {
    /// A table holding the rule constants at their fixed ids.
    pub fn new() -> Self {
        let mut s = Symbols {
            names: Vec::new(),
            ids: rustc_hash::FxHashMap::default(),
        };
        for c in &crate::datalog::program().constants {
            s.intern(c);
        }
        s
    }

    /// A table of exactly these names, the `i`th at id `i` (as [`Symbols::names`] lists them).
    pub fn from_names(names: Vec<String>) -> Self {
        let ids = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), Sym(i as u32)))
            .collect();
        Symbols { names, ids }
    }

    /// Every name, in id order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn intern(&mut self, name: &str) -> Sym {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = Sym(self.names.len() as u32);
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        id
    }

    pub fn get(&self, name: &str) -> Option<Sym> {
        self.ids.get(name).copied()
    }

    pub fn name(&self, sym: Sym) -> &str {
        self.names.get(sym.0 as usize).map_or("?", String::as_str)
    }

    /// Renders a value: a symbol by name, a number as written.
    pub fn show(&self, v: &Value) -> String {
        match v {
            Value::Sym(s) => self.name(*s).to_string(),
            Value::Num(n) => n.to_string(),
        }
    }

    /// Compares two values by what a reader sees: symbols by name, numbers by value.
    pub fn cmp_values(&self, a: &Value, b: &Value) -> std::cmp::Ordering {
        match (a, b) {
            (Value::Sym(x), Value::Sym(y)) => self.name(*x).cmp(self.name(*y)),
            (Value::Num(x), Value::Num(y)) => x.cmp(y),
            (Value::Num(_), Value::Sym(_)) => std::cmp::Ordering::Less,
            (Value::Sym(_), Value::Num(_)) => std::cmp::Ordering::Greater,
        }
    }

    pub fn cmp_tuples(&self, a: &[Value], b: &[Value]) -> std::cmp::Ordering {
        cmp_tuples_by(a, b, |x, y| self.cmp_values(x, y))
    }

    /// Every symbol's rank in name order, for sorting many tuples: comparing two ranks gives
    /// the same order as comparing the two names (names are unique), without touching strings.
    pub fn ranks(&self) -> Ranks<'_> {
        let mut order: Vec<u32> = (0..self.names.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.names[a as usize].cmp(&self.names[b as usize]));
        let mut rank = vec![0u32; order.len()];
        for (r, &s) in order.iter().enumerate() {
            rank[s as usize] = r as u32;
        }
        Ranks { syms: self, rank }
    }
}

/// Symbol ranks in name order (see [`Symbols::ranks`]): orders values and tuples exactly as
/// [`Symbols::cmp_values`] and [`Symbols::cmp_tuples`] do, with integer comparisons.
pub struct Ranks<'a> {
    syms: &'a Symbols,
    rank: Vec<u32>,
}

impl Ranks<'_> {
    pub fn cmp_values(&self, a: &Value, b: &Value) -> std::cmp::Ordering {
        match (a, b) {
            (Value::Sym(x), Value::Sym(y)) => {
                match (self.rank.get(x.0 as usize), self.rank.get(y.0 as usize)) {
                    (Some(rx), Some(ry)) => rx.cmp(ry),
                    // A symbol outside the table (only in a malformed tuple): compare by shown name.
                    _ => self.syms.cmp_values(a, b),
                }
            }
            (Value::Num(x), Value::Num(y)) => x.cmp(y),
            (Value::Num(_), Value::Sym(_)) => std::cmp::Ordering::Less,
            (Value::Sym(_), Value::Num(_)) => std::cmp::Ordering::Greater,
        }
    }

    pub fn cmp_tuples(&self, a: &[Value], b: &[Value]) -> std::cmp::Ordering {
        cmp_tuples_by(a, b, |x, y| self.cmp_values(x, y))
    }

    /// Sorts tuples in [`Ranks::cmp_tuples`] order (equal tuples keep their order).
    pub fn sort(&self, tuples: &mut Vec<Tuple>) {
        if self.is_sorted(tuples) {
            return;
        }
        let order = self.order(tuples);
        gather(tuples, &order);
    }

    /// Whether `tuples` are already in [`Ranks::cmp_tuples`] order.
    pub fn is_sorted(&self, tuples: &[Tuple]) -> bool {
        tuples
            .windows(2)
            .all(|w| self.cmp_tuples(&w[0], &w[1]).is_le())
    }

    /// The positions of `tuples` in [`Ranks::cmp_tuples`] order; equal tuples keep their order.
    ///
    /// When every tuple has the same arity and each column holds one kind of value (always so
    /// for a relation of the program), each tuple becomes one integer: per column, its key — a
    /// symbol's rank, or a number with its sign bit flipped so unsigned order is signed order —
    /// less the column's smallest, in as many bits as the column's range needs. Those integers,
    /// each beside its tuple's position, are sorted by a stable radix sort (`radsort`: one pass
    /// per byte of the key that some rows differ in; a comparison sort below 256 rows). Wider
    /// keys than 128 bits, and mixed columns, are compared value by value.
    pub fn order(&self, tuples: &[Tuple]) -> Vec<u32> {
        self.order_by(tuples.len(), |i| &tuples[i])
    }

    /// [`Ranks::order`] of flat rows (a rule's firings).
    pub fn order_rows(&self, rows: &Rows) -> Vec<u32> {
        self.order_by(rows.len(), |i| rows.row(i))
    }

    /// [`Ranks::order`] of `n` rows, row `i` being `row(i)`.
    fn order_by<'t>(&self, n: usize, row: impl Fn(usize) -> &'t [Value]) -> Vec<u32> {
        self.order_packed(n, &row).unwrap_or_else(|| {
            let mut idx: Vec<u32> = (0..n as u32).collect();
            idx.sort_by(|&a, &b| self.cmp_tuples(row(a as usize), row(b as usize)));
            idx
        })
    }

    /// A value's integer key in a column of symbols (`is_sym`) or of numbers.
    fn key(&self, v: &Value, is_sym: bool) -> Option<u64> {
        match v {
            Value::Sym(s) if is_sym => self.rank.get(s.0 as usize).map(|&r| u64::from(r)),
            Value::Num(n) if !is_sym => Some((*n as u64) ^ (1 << 63)),
            _ => None,
        }
    }

    /// The packing of `n` rows (see [`Ranks::order`]): per column its kind, smallest key and
    /// width; `None` if the rows differ in arity or a column mixes kinds.
    fn columns<'t>(&self, n: usize, row: impl Fn(usize) -> &'t [Value]) -> Option<Vec<Column>> {
        let first = row(0);
        let mut cols: Vec<Column> = first
            .iter()
            .map(|v| Column {
                sym: matches!(v, Value::Sym(_)),
                lo: u64::MAX,
                width: 0,
            })
            .collect();
        let mut hi = vec![0u64; cols.len()];
        for i in 0..n {
            let t = row(i);
            if t.len() != cols.len() {
                return None;
            }
            for ((c, v), h) in cols.iter_mut().zip(t).zip(&mut hi) {
                let k = self.key(v, c.sym)?;
                c.lo = c.lo.min(k);
                *h = (*h).max(k);
            }
        }
        for (c, h) in cols.iter_mut().zip(&hi) {
            c.width = 64 - (h - c.lo).leading_zeros();
        }
        Some(cols)
    }

    /// [`Ranks::order`] by packed integer keys, or `None` if they do not apply.
    fn order_packed<'t>(&self, n: usize, row: &impl Fn(usize) -> &'t [Value]) -> Option<Vec<u32>> {
        if n == 0 {
            return Some(Vec::new());
        }
        let cols = self.columns(n, row)?;
        // Every row has the columns' arity and kinds, every value lies in its column's range.
        let key_bits = cols.iter().map(|c| c.width).sum::<u32>();
        if key_bits <= 64 {
            // The same keys in 64-bit arithmetic (no column is then 64 bits wide), beside the
            // position rather than above it: a stable radix sort keeps equal keys in position
            // order, and a byte of the key that no row varies costs no pass.
            let pack = |i: usize| -> (u64, u32) {
                let mut k = 0u64;
                for (c, v) in cols.iter().zip(row(i)) {
                    let x = self.key(v, c.sym).unwrap_or(c.lo) - c.lo;
                    k = (k << c.width) | x;
                }
                (k, i as u32)
            };
            let mut keys: Vec<(u64, u32)> = (0..n).map(pack).collect();
            sort_keys(&mut keys);
            Some(keys.iter().map(|&(_, i)| i).collect())
        } else if key_bits <= 128 {
            let pack = |i: usize| -> (u128, u32) {
                let mut k = 0u128;
                for (c, v) in cols.iter().zip(row(i)) {
                    let x = self.key(v, c.sym).unwrap_or(c.lo) - c.lo;
                    k = (k << c.width) | u128::from(x);
                }
                (k, i as u32)
            };
            let mut keys: Vec<(u128, u32)> = (0..n).map(pack).collect();
            sort_keys(&mut keys);
            Some(keys.iter().map(|&(_, i)| i).collect())
        } else {
            None
        }
    }
}

/// Sorts packed keys, each beside its row's position, by key and then position (see
/// [`Ranks::order`]).
fn sort_keys<K: radsort::Key + Ord>(keys: &mut [(K, u32)]) {
    if keys.len() < 256 {
        keys.sort_unstable();
    } else {
        // Stable, and the keys start in position order: equal keys stay in position order.
        radsort::sort_by_key(keys, |&(k, _)| k);
    }
}

/// One column of a packing: symbols or numbers, the smallest key and the bits its range needs.
#[derive(Clone, Copy, Debug)]
struct Column {
    sym: bool,
    lo: u64,
    width: u32,
}

/// Finds the position of a tuple in a relation: an open-addressing hash table of positions, the
/// tuples' values hashed as they are (a symbol by its id), looked up without building a tuple.
///
/// Fields of a looked-up tuple come from a row of values (a firing's variables) or are fixed
/// ([`Field`]), so a rule's atom is found as it stands.
#[derive(Clone, Debug)]
pub struct TupleIndex<'t> {
    tuples: &'t [Tuple],
    /// Per slot: 0 if empty, else 1 + a position in `tuples`.
    slots: Vec<u32>,
    /// Slots are `1 << (64 - shift)`; a hash's top bits pick the first slot tried.
    shift: u32,
}

/// Where a looked-up tuple's field comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// Value `i` of the row looked up.
    Row(usize),
    Fixed(Value),
}

/// One step of the hash (FxHash's: rotate, xor, multiply); a value enters by its payload.
fn mix(h: u64, v: &Value) -> u64 {
    let x = match v {
        Value::Sym(s) => u64::from(s.0),
        Value::Num(n) => *n as u64,
    };
    (h.rotate_left(5) ^ x).wrapping_mul(0x517c_c1b7_2722_0a95)
}

impl<'t> TupleIndex<'t> {
    pub fn new(tuples: &'t [Tuple]) -> TupleIndex<'t> {
        let cap = (tuples.len() * 2).next_power_of_two().max(2);
        let mut ix = TupleIndex {
            tuples,
            slots: vec![0; cap],
            shift: 64 - cap.trailing_zeros(),
        };
        let mask = cap - 1;
        for (i, t) in tuples.iter().enumerate() {
            let mut at = ix.first_slot(t.iter().fold(0, mix));
            while ix.slots[at] != 0 {
                at = (at + 1) & mask;
            }
            ix.slots[at] = i as u32 + 1;
        }
        ix
    }

    fn first_slot(&self, h: u64) -> usize {
        h.checked_shr(self.shift).unwrap_or(0) as usize
    }

    /// The position of the tuple whose field `c` is `fields[c]` (taken from `row`), if the
    /// relation holds it.
    pub fn find(&self, fields: &[Field], row: &[Value]) -> Option<usize> {
        let value = |f: &Field| match f {
            Field::Row(i) => row.get(*i).copied(),
            Field::Fixed(v) => Some(*v),
        };
        let mut h = 0;
        for f in fields {
            h = mix(h, &value(f)?);
        }
        let mask = self.slots.len() - 1;
        let mut at = self.first_slot(h);
        loop {
            let i = (*self.slots.get(at)?).checked_sub(1)? as usize;
            let t = self.tuples.get(i)?;
            if t.len() == fields.len() && t.iter().zip(fields).all(|(v, f)| value(f) == Some(*v)) {
                return Some(i);
            }
            at = (at + 1) & mask;
        }
    }
}

/// A relation's tuples packed one after another in 32-bit words laid out by the relation's
/// field kinds: a symbol's id in one word, a number's 64 bits in two (low word first). No
/// pointer and no allocation per tuple: a `Reach` tuple takes 24 bytes, against 96 as a
/// [`Tuple`] of 16-byte [`Value`]s behind a 16-byte pointer. The words are kept in chunks of a
/// fixed number of rows, so growing never copies what is stored (a doubling list would hold the
/// old and the new room at once). The plain evaluation takes an input relation packed when
/// nothing lists it ([`crate::lower::Facts::pack_all_but`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Packed {
    /// Per field: whether it holds a symbol (one word) or a number (two).
    syms: Vec<bool>,
    /// Words per row.
    stride: usize,
    len: usize,
    chunks: Vec<Vec<u32>>,
}

/// Rows per chunk of [`Packed`].
const PACKED_CHUNK_ROWS: usize = 1 << 13;

impl Packed {
    /// An empty relation whose fields are symbols where `syms` is true, numbers elsewhere.
    pub fn new(syms: Vec<bool>) -> Packed {
        let stride = syms.iter().map(|&s| if s { 1 } else { 2 }).sum();
        Packed {
            syms,
            stride,
            len: 0,
            chunks: Vec::new(),
        }
    }

    /// Appends a tuple, field by field as the relation's kinds say (a missing field or one of the
    /// other kind is stored as [`Value::sym`] and [`Value::num`] read it: the relation's builders
    /// give well-formed tuples).
    pub fn push(&mut self, t: &[Value]) {
        let room = PACKED_CHUNK_ROWS * self.stride;
        if self
            .chunks
            .last()
            .is_none_or(|c| c.len() + self.stride > room)
        {
            self.chunks.push(Vec::with_capacity(room));
        }
        let Some(chunk) = self.chunks.last_mut() else {
            return;
        };
        for (i, &is_sym) in self.syms.iter().enumerate() {
            let v = t.get(i);
            if is_sym {
                chunk.push(v.map_or(Sym::NONE, Value::sym).0);
            } else {
                let n = u64::from_ne_bytes(v.map_or(0, Value::num).to_ne_bytes());
                chunk.push(n as u32);
                chunk.push((n >> 32) as u32);
            }
        }
        self.len += 1;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Each tuple's words, in the order pushed.
    pub fn rows(&self) -> impl Iterator<Item = &[u32]> {
        let stride = self.stride.max(1);
        self.chunks
            .iter()
            .flat_map(move |c| c.chunks_exact(stride))
            .take(self.len)
    }
}

/// The symbol at word `i` of a packed row ([`Packed`]).
pub fn word_sym(w: &[u32], i: usize) -> Sym {
    w.get(i).map_or(Sym::NONE, |&x| Sym(x))
}

/// The number at words `i` and `i + 1` of a packed row ([`Packed`]).
pub fn word_num(w: &[u32], i: usize) -> i64 {
    match (w.get(i), w.get(i + 1)) {
        (Some(&lo), Some(&hi)) => {
            i64::from_ne_bytes((u64::from(lo) | (u64::from(hi) << 32)).to_ne_bytes())
        }
        _ => 0,
    }
}

/// Rows of one arity stored one after another (a rule's firings): one allocation for all of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rows {
    arity: usize,
    len: usize,
    vals: Vec<Value>,
}

impl Rows {
    /// `len` rows of `arity` values each, laid out in `vals` one after another (extra values are
    /// dropped; with too few, the rows that are complete).
    pub fn from_flat(arity: usize, len: usize, mut vals: Vec<Value>) -> Rows {
        let len = vals
            .len()
            .checked_div(arity)
            .map_or(len, |whole| len.min(whole));
        vals.truncate(arity * len);
        Rows { arity, len, vals }
    }

    pub fn arity(&self) -> usize {
        self.arity
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Row `i` (empty past the end).
    pub fn row(&self, i: usize) -> &[Value] {
        self.get(i).unwrap_or(&[])
    }

    pub fn get(&self, i: usize) -> Option<&[Value]> {
        if i >= self.len {
            return None;
        }
        self.vals.get(i * self.arity..(i + 1) * self.arity)
    }

    pub fn iter(&self) -> impl Iterator<Item = &[Value]> {
        (0..self.len).map(|i| self.row(i))
    }

    /// Reorders the rows so that row `new` is old row `order[new]` (`order` a permutation, as
    /// [`Ranks::order_rows`] gives).
    pub fn permute(&mut self, order: &[u32]) {
        let mut vals = Vec::with_capacity(self.vals.len());
        for &i in order {
            vals.extend_from_slice(self.row(i as usize));
        }
        self.len = vals.len().checked_div(self.arity).unwrap_or(order.len());
        self.vals = vals;
    }

    /// Sorts the rows in [`Ranks::cmp_tuples`] order.
    pub fn sort(&mut self, ranks: &Ranks<'_>) {
        if self.len > 1 {
            let order = ranks.order_rows(self);
            self.permute(&order);
        }
    }
}

/// Reorders `items` so that `items[new] = old items[order[new]]`; items `order` does not name
/// are dropped.
///
/// A full permutation (what [`Ranks::order`] returns) is applied in place, cycle by cycle with
/// swaps, so no second list of the items exists (at 10⁶ facts the copy of the origins alone was
/// ≈ 0.5 GiB).
pub fn permute<T>(items: &mut Vec<T>, order: &[u32]) {
    let n = items.len();
    let mut done = vec![false; n];
    let full = order.len() == n
        && order.iter().all(|&i| {
            done.get_mut(i as usize)
                .is_some_and(|d| !std::mem::replace(d, true))
        });
    if !full {
        let mut old: Vec<Option<T>> = std::mem::take(items).into_iter().map(Some).collect();
        items.extend(
            order
                .iter()
                .filter_map(|&i| old.get_mut(i as usize)?.take()),
        );
        return;
    }
    done.fill(false);
    for start in 0..n {
        if done[start] {
            continue;
        }
        // Position `j` takes the item at `order[j]`; the item of `start` travels along the cycle.
        let mut j = start;
        loop {
            done[j] = true;
            let k = order[j] as usize;
            if k == start {
                break;
            }
            items.swap(j, k);
            j = k;
        }
    }
}

/// [`permute`] for items with a cheap default (tuples: an empty box allocates nothing): a full
/// permutation is gathered into a new list, each item taken from its old place, which reads the
/// old list once at random and writes the new one in order (the cycles of [`permute`] read and
/// write both at random). The old list's slots, all defaults by then, are freed after.
pub fn gather<T: Default>(items: &mut Vec<T>, order: &[u32]) {
    let n = items.len();
    let mut seen = vec![false; n];
    let full = order.len() == n
        && order.iter().all(|&i| {
            seen.get_mut(i as usize)
                .is_some_and(|d| !std::mem::replace(d, true))
        });
    if !full {
        permute(items, order);
        return;
    }
    drop(seen);
    let new: Vec<T> = order
        .iter()
        .map(|&i| std::mem::take(&mut items[i as usize]))
        .collect();
    *items = new;
}

impl Default for Symbols {
    fn default() -> Self {
        Self::new()
    }
}

/// Compares two tuples field by field with `cmp`, then by length.
fn cmp_tuples_by(
    a: &[Value],
    b: &[Value],
    cmp: impl Fn(&Value, &Value) -> std::cmp::Ordering,
) -> std::cmp::Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| cmp(x, y))
        .find(|o| o.is_ne())
        .unwrap_or_else(|| a.len().cmp(&b.len()))
}

/// Tuples of every relation of the program, indexed by relation id.
///
/// Each relation sits behind an `Arc`, so a model can take a facts' (sorted) input relations
/// without copying them ([`Database::share`]) and a cloned database shares its relations until
/// one is changed (copy on write: a sweep's clones copy only what their cut edits).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Database {
    rels: Vec<Arc<Vec<Tuple>>>,
}

impl Database {
    pub fn empty(n: usize) -> Self {
        Database {
            rels: vec![Arc::default(); n],
        }
    }

    pub fn rel(&self, i: usize) -> &[Tuple] {
        self.rels.get(i).map_or(&[], |r| r.as_slice())
    }

    /// A relation to change; copied first if another database shares it.
    pub fn rel_mut(&mut self, i: usize) -> &mut Vec<Tuple> {
        if self.rels.len() <= i {
            self.rels.resize_with(i + 1, Arc::default);
        }
        Arc::make_mut(&mut self.rels[i])
    }

    pub fn set(&mut self, i: usize, tuples: Vec<Tuple>) {
        if self.rels.len() <= i {
            self.rels.resize_with(i + 1, Arc::default);
        }
        self.rels[i] = Arc::new(tuples);
    }

    /// Makes relation `i` the same list as `from`'s relation `i`, without copying it.
    pub fn share(&mut self, i: usize, from: &Database) {
        if self.rels.len() <= i {
            self.rels.resize_with(i + 1, Arc::default);
        }
        self.rels[i] = from.rels.get(i).cloned().unwrap_or_default();
    }

    /// Takes relation `i` out (it becomes empty): freed when the caller lets it go, unless
    /// another database shares it.
    pub fn take(&mut self, i: usize) -> Arc<Vec<Tuple>> {
        self.rels.get_mut(i).map(std::mem::take).unwrap_or_default()
    }

    pub fn push(&mut self, i: usize, t: Tuple) {
        self.rel_mut(i).push(t);
    }

    pub fn len(&self) -> usize {
        self.rels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rels.iter().all(|r| r.is_empty())
    }

    /// Total number of tuples in all relations.
    pub fn size(&self) -> usize {
        self.rels.iter().map(|r| r.len()).sum()
    }

    /// Sorts every relation by what a reader sees and drops duplicates (a relation already in
    /// order and without duplicates is left as it is, shared or not).
    pub fn sort(&mut self, syms: &Symbols) {
        self.sort_ranked(&syms.ranks());
    }

    /// [`Database::sort`] with the symbols' ranks already computed.
    pub fn sort_ranked(&mut self, ranks: &Ranks<'_>) {
        let orders = self.orders(ranks);
        for (i, order) in orders.into_iter().enumerate() {
            self.apply(i, order.as_deref());
        }
    }

    /// Moves relation `i`'s tuples into `order` (from [`Database::orders`]) and drops duplicates;
    /// a relation already in order and without duplicates is left as it is, shared or not.
    pub fn apply(&mut self, i: usize, order: Option<&[u32]>) {
        match order {
            Some(order) => {
                let r = self.rel_mut(i);
                gather(r, order);
                r.dedup();
            }
            None => {
                if self.rel(i).windows(2).any(|w| w[0] == w[1]) {
                    self.rel_mut(i).dedup();
                }
            }
        }
    }

    /// For each relation, the positions of its tuples in reading order, or `None` if it is in
    /// order already. (Ordering the relations in parallel with rayon was tried: no faster at
    /// 10⁵ facts, and 10 % more peak memory, the worker's transient keys held in its own heap.)
    pub fn orders(&self, ranks: &Ranks<'_>) -> Vec<Option<Vec<u32>>> {
        self.rels
            .iter()
            .map(|r| (!ranks.is_sorted(r)).then(|| ranks.order(r)))
            .collect()
    }

    pub fn contains(&self, i: usize, t: &[Value]) -> bool {
        self.rel(i).iter().any(|x| &**x == t)
    }
}

#[cfg(test)]
mod tests {
    use super::{Packed, Sym, word_num, word_sym};

    #[test]
    fn packed_rows_read_back_their_values() {
        let rows = [
            [Value::Sym(Sym(0)), Value::Num(i64::MIN), Value::Sym(Sym(7))],
            [
                Value::Sym(Sym(u32::MAX - 1)),
                Value::Num(-1),
                Value::Sym(Sym(3)),
            ],
            [Value::Sym(Sym(5)), Value::Num(i64::MAX), Value::Sym(Sym(0))],
        ];
        let mut p = Packed::new(vec![true, false, true]);
        // Past one chunk, so that rows are read across chunks.
        let n = super::PACKED_CHUNK_ROWS * 2 + 5;
        for i in 0..n {
            p.push(&rows[i % 3]);
        }
        assert_eq!(p.len(), n);
        let back: Vec<[Value; 3]> = p
            .rows()
            .map(|w| {
                assert_eq!(w.len(), 4);
                [
                    Value::Sym(word_sym(w, 0)),
                    Value::Num(word_num(w, 1)),
                    Value::Sym(word_sym(w, 3)),
                ]
            })
            .collect();
        assert_eq!(back.len(), n);
        for (i, b) in back.iter().enumerate() {
            assert_eq!(b, &rows[i % 3], "row {i}");
        }
        // Past the row: the placeholders.
        assert_eq!(word_sym(&[], 0), Sym::NONE);
        assert_eq!(word_num(&[], 0), 0);
    }

    #[test]
    fn permute_matches_taking_each_item_from_its_old_position() {
        let cases: [&[u32]; 6] = [
            &[],
            &[0],
            &[2, 0, 1, 3],
            &[3, 2, 1, 0],
            &[1, 2, 3, 0],
            &[2, 0],
        ];
        for order in cases {
            let items: Vec<String> = (0..if order.len() == 2 { 4 } else { order.len() })
                .map(|i| i.to_string())
                .collect();
            let expect: Vec<String> = order.iter().map(|&i| items[i as usize].clone()).collect();
            let mut got = items.clone();
            super::permute(&mut got, order);
            assert_eq!(got, expect, "{order:?}");
        }
        let order: Vec<u32> = (0..1000).map(|i| (i * 7 + 3) % 1000).collect();
        let mut got: Vec<u32> = (0..1000).collect();
        super::permute(&mut got, &order);
        assert_eq!(got, order);
        // Repeated positions are not a permutation: each item is taken once.
        let mut got = vec!['a', 'b', 'c'];
        super::permute(&mut got, &[1, 1, 0]);
        assert_eq!(got, vec!['b', 'a']);
    }

    use super::{Field, Rows, Symbols, Tuple, TupleIndex, Value};

    fn tuple(vals: &[Value]) -> Tuple {
        vals.to_vec().into_boxed_slice()
    }

    #[test]
    fn rank_sort_orders_as_names_do() {
        let mut syms = Symbols::new();
        let names = ["zeta", "alpha", "Mid", "beta", "alpha2", "_x", "ÄÖ"];
        let ids: Vec<Value> = names.iter().map(|n| Value::Sym(syms.intern(n))).collect();
        let mut tuples = Vec::new();
        for (i, a) in ids.iter().enumerate() {
            for (j, b) in ids.iter().enumerate() {
                let n = (i as i64 * 7 - j as i64 * 13) % 5;
                tuples.push(tuple(&[*a, Value::Num(n), *b]));
                tuples.push(tuple(&[*a, Value::Num(-n), *b]));
                tuples.push(tuple(&[*a, Value::Num(i64::MIN + j as i64), *b]));
                tuples.push(tuple(&[*a, Value::Num(i64::MAX - i as i64), *b]));
            }
        }
        let mut by_name = tuples.clone();
        by_name.sort_by(|a, b| syms.cmp_tuples(a, b));
        let ranks = syms.ranks();
        let mut by_rank = tuples.clone();
        ranks.sort(&mut by_rank);
        assert_eq!(by_rank, by_name);
        // Small numbers only: the keys pack into 64 bits.
        let mut small: Vec<Tuple> = tuples
            .iter()
            .filter(|t| (-5..5).contains(&t[1].num()))
            .cloned()
            .collect();
        let mut small_by_name = small.clone();
        small_by_name.sort_by(|a, b| syms.cmp_tuples(a, b));
        ranks.sort(&mut small);
        assert_eq!(small, small_by_name);
        // Mixed arities and kinds take the comparison path, with the same order.
        tuples.push(tuple(&[Value::Num(3)]));
        tuples.push(tuple(&[
            ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6],
        ]));
        tuples.push(tuple(&[Value::Sym(super::Sym::NONE), Value::Num(1)]));
        let mut by_name = tuples.clone();
        by_name.sort_by(|a, b| syms.cmp_tuples(a, b));
        let mut by_rank = tuples;
        ranks.sort(&mut by_rank);
        assert_eq!(by_rank, by_name);
    }

    #[test]
    fn radix_order_is_the_stable_order_by_name() {
        // Enough rows for the radix sort (256 and more), with repeated rows whose positions must
        // stay in order, keys of 64 bits and under and of more.
        let mut syms = Symbols::new();
        let ids: Vec<Value> = ["zeta", "alpha", "Mid", "beta", "ÄÖ"]
            .iter()
            .map(|n| Value::Sym(syms.intern(n)))
            .collect();
        let ranks = syms.ranks();
        for wide in [false, true] {
            let tuples: Vec<Tuple> = (0..3000i64)
                .map(|i| {
                    let n = (i * 7919) % 97 - 40;
                    let n = if wide { n * (1 << 50) } else { n };
                    tuple(&[ids[(i % 5) as usize], Value::Num(n), ids[(i % 3) as usize]])
                })
                .collect();
            let mut expect: Vec<u32> = (0..tuples.len() as u32).collect();
            expect.sort_by(|&a, &b| syms.cmp_tuples(&tuples[a as usize], &tuples[b as usize]));
            assert_eq!(ranks.order(&tuples), expect, "wide: {wide}");
        }
    }

    #[test]
    fn gather_takes_each_item_from_its_old_position() {
        let items: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
        let order: Vec<u32> = (0..1000).map(|i| (i * 7 + 3) % 1000).collect();
        let mut got = items.clone();
        super::gather(&mut got, &order);
        let expect: Vec<String> = order.iter().map(|&i| items[i as usize].clone()).collect();
        assert_eq!(got, expect);
        // Not a permutation: as `permute`, each item taken once and the rest dropped.
        let mut got = vec!["a".to_string(), "b".into(), "c".into()];
        super::gather(&mut got, &[1, 1, 0]);
        assert_eq!(got, vec!["b".to_string(), "a".into()]);
    }

    /// A relation of symbols and numbers, some negative, with duplicate-free rows.
    fn sample(syms: &mut Symbols) -> Vec<Tuple> {
        let ids: Vec<Value> = ["zeta", "alpha", "Mid", "beta"]
            .iter()
            .map(|n| Value::Sym(syms.intern(n)))
            .collect();
        let mut out = Vec::new();
        for (i, a) in ids.iter().enumerate() {
            for n in [-7i64, 0, 3, 9_000] {
                out.push(tuple(&[
                    *a,
                    Value::Num(n * (i as i64 + 1)),
                    ids[(i + 1) % 4],
                ]));
            }
        }
        out
    }

    #[test]
    fn tuple_index_finds_each_tuple_at_its_position_and_nothing_else() {
        let mut syms = Symbols::new();
        let mut rel = sample(&mut syms);
        rel.reverse();
        let outside = Value::Sym(syms.intern("not-in-the-relation"));
        let ix = TupleIndex::new(&rel);
        let all = [Field::Row(0), Field::Row(1), Field::Row(2)];
        for (i, t) in rel.iter().enumerate() {
            assert_eq!(ix.find(&all, t), Some(i), "{t:?}");
        }
        // Fields from anywhere in the row, or fixed.
        let t = &rel[5];
        let row = [Value::Num(1), t[2], t[0]];
        let mixed = [Field::Row(2), Field::Fixed(t[1]), Field::Row(1)];
        assert_eq!(ix.find(&mixed, &row), Some(5));
        // Absent values, a symbol's id read as a number, a row too short, the wrong arity.
        let with = |c: usize, v: Value| {
            let mut x = t.to_vec();
            x[c] = v;
            ix.find(&all, &x)
        };
        assert_eq!(with(1, Value::Num(1)), None);
        assert_eq!(with(1, Value::Num(i64::MAX)), None);
        assert_eq!(with(0, Value::Num(i64::from(t[0].sym().0))), None);
        assert_eq!(with(2, outside), None);
        assert_eq!(with(2, Value::Sym(super::Sym::NONE)), None);
        assert_eq!(ix.find(&all, &t[..2]), None);
        assert_eq!(ix.find(&all[..2], t), None);
        // Duplicates of a hash's first slot are probed past; an empty relation finds nothing.
        let many: Vec<Tuple> = (0..1000).map(|n| tuple(&[Value::Num(n)])).collect();
        let ix = TupleIndex::new(&many);
        assert!(
            (0..1000).all(|n| ix.find(&[Field::Fixed(Value::Num(n))], &[]) == Some(n as usize))
        );
        assert_eq!(ix.find(&[Field::Fixed(Value::Num(1000))], &[]), None);
        assert_eq!(TupleIndex::new(&[]).find(&[Field::Row(0)], t), None);
    }

    #[test]
    fn rows_sort_as_tuples_do() {
        let mut syms = Symbols::new();
        let mut tuples = sample(&mut syms);
        tuples.reverse();
        tuples.push(tuples[3].clone());
        let flat: Vec<Value> = tuples.iter().flat_map(|t| t.iter().copied()).collect();
        let mut rows = Rows::from_flat(3, tuples.len(), flat);
        assert_eq!(rows.len(), tuples.len());
        let ranks = syms.ranks();
        rows.sort(&ranks);
        ranks.sort(&mut tuples);
        let sorted: Vec<&[Value]> = tuples.iter().map(|t| &**t).collect();
        assert_eq!(rows.iter().collect::<Vec<_>>(), sorted);
        assert_eq!(rows.get(tuples.len()), None);
        // Rows of no values still count; an incomplete last row is dropped.
        let mut none = Rows::from_flat(0, 4, Vec::new());
        none.sort(&ranks);
        assert_eq!((none.len(), none.row(3)), (4, &[][..]));
        assert_eq!(Rows::from_flat(2, 3, vec![Value::Num(1); 5]).len(), 2);
    }
}
