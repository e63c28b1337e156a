//! Interned values and the generic fact database every stage after lowering works on.
//!
//! crepe relations must be `Copy + Eq + Hash`, so names are interned to [`Sym`]s and numbers are
//! integers (percentages in basis points). Outside the generated engine, every relation is a
//! plain list of [`Tuple`]s indexed by its position in the rule program: explain, diff, sweep and
//! the reports never need to know the shape of a relation at compile time.

use std::collections::HashMap;

/// An interned name (country, mineral, level, …). Ids below the number of rule constants are the
/// rule constants, in the order `build.rs` numbered them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Sym(pub u32);

impl Sym {
    /// A placeholder never handed out by [`Symbols`]; only produced for a malformed tuple.
    pub const NONE: Sym = Sym(u32::MAX);
}

/// One field of a tuple.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
    ids: HashMap<String, Sym>,
}

impl Symbols {
    /// A table holding the rule constants at their fixed ids.
    pub fn new() -> Self {
        let mut s = Symbols {
            names: Vec::new(),
            ids: HashMap::new(),
        };
        for c in &crate::datalog::program().constants {
            s.intern(c);
        }
        s
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
        for (x, y) in a.iter().zip(b) {
            let o = self.cmp_values(x, y);
            if o.is_ne() {
                return o;
            }
        }
        a.len().cmp(&b.len())
    }
}

impl Default for Symbols {
    fn default() -> Self {
        Self::new()
    }
}

/// Tuples of every relation of the program, indexed by relation id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Database {
    rels: Vec<Vec<Tuple>>,
}

impl Database {
    pub fn empty(n: usize) -> Self {
        Database {
            rels: vec![Vec::new(); n],
        }
    }

    pub fn rel(&self, i: usize) -> &[Tuple] {
        self.rels.get(i).map_or(&[], Vec::as_slice)
    }

    pub fn rel_mut(&mut self, i: usize) -> &mut Vec<Tuple> {
        if self.rels.len() <= i {
            self.rels.resize(i + 1, Vec::new());
        }
        &mut self.rels[i]
    }

    pub fn set(&mut self, i: usize, tuples: Vec<Tuple>) {
        *self.rel_mut(i) = tuples;
    }

    pub fn push(&mut self, i: usize, t: Tuple) {
        self.rel_mut(i).push(t);
    }

    pub fn len(&self) -> usize {
        self.rels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rels.iter().all(Vec::is_empty)
    }

    /// Total number of tuples in all relations.
    pub fn size(&self) -> usize {
        self.rels.iter().map(Vec::len).sum()
    }

    /// Sorts every relation by what a reader sees and drops duplicates.
    pub fn sort(&mut self, syms: &Symbols) {
        for r in &mut self.rels {
            r.sort_by(|a, b| syms.cmp_tuples(a, b));
            r.dedup();
        }
    }

    pub fn contains(&self, i: usize, t: &[Value]) -> bool {
        self.rel(i).iter().any(|x| &**x == t)
    }
}
