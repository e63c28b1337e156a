//! The rule language of `rules/*.dl`: a small, Soufflé-flavoured Datalog.
//!
//! This file is compiled twice: by `build.rs` (which turns the parsed program into crepe code)
//! and by the library (which keeps the parsed program as metadata for explain, coverage, export).
//! Both see the same parse, so the generated engine and its metadata cannot drift apart.
//! It must therefore depend on nothing but `std`.
//!
//! ```text
//! /// A supplier with at least `dominant_share` of a stage is dominant.
//! .decl Dominant(mineral: symbol, stage: symbol, country: symbol, share_bp: number)
//!
//! /// A supplier with at least the dominant share of world output at a stage is dominant.
//! Dominant(m, s, c, bp) :- Share(m, s, c, bp), Param("dominant_share", t), bp >= t.
//! ```
//!
//! `.input` declares a relation filled from scenario facts (or computed in Rust), `.decl` one the
//! rules derive, `.output` a derived relation that is also a conclusion `lode run` shows. Body literals: positive atoms, negated atoms `!R(..)`, comparisons
//! `a < b` (`<`, `<=`, `>`, `>=`, `=`, `!=`) and bindings `x = expr` of a new variable. Arithmetic
//! is `+`, `-`, `*` on numbers (saturating). Variables start with a lower-case letter; `_` is a
//! wildcard; constants are `"strings"` or integers.

use std::collections::BTreeMap;
use std::fmt;

/// Field type of a relation column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Ty {
    /// An interned name (country, mineral, level, ...).
    Symbol,
    /// A 64-bit integer (basis points, HHI points, years).
    Number,
}

impl Ty {
    pub fn as_str(self) -> &'static str {
        match self {
            Ty::Symbol => "symbol",
            Ty::Number => "number",
        }
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Field {
    pub name: String,
    pub ty: Ty,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Relation {
    pub name: String,
    pub fields: Vec<Field>,
    pub doc: String,
    /// Filled from facts, never derived by a rule.
    pub input: bool,
    /// A conclusion shown by `lode run` by default (declared with `.output`).
    pub output: bool,
    pub file: String,
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Term {
    Var(String),
    Wild,
    Sym(String),
    Num(i64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Expr {
    Term(Term),
    Bin(Box<Expr>, ArithOp, Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
        }
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Atom {
    /// Index into [`Program::relations`].
    pub rel: usize,
    pub args: Vec<Term>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Literal {
    Pos(Atom),
    Neg(Atom),
    Cmp(Expr, CmpOp, Expr),
    /// `var = expr` where `var` was not bound before.
    Bind(String, Expr),
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Rule {
    pub head: Atom,
    pub body: Vec<Literal>,
    pub doc: String,
    pub file: String,
    pub line: usize,
    /// Every named variable of the rule, in the order it is first bound, with its type.
    /// Wildcards of positive body atoms are named `_w0`, `_w1`, … so that a firing, recorded as
    /// one value per variable, determines every body tuple.
    pub vars: Vec<(String, Ty)>,
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Program {
    pub relations: Vec<Relation>,
    pub rules: Vec<Rule>,
    /// Every string constant of the rules, in order of first appearance.
    pub constants: Vec<String>,
}

impl Program {
    pub fn relation_index(&self, name: &str) -> Option<usize> {
        self.relations.iter().position(|r| r.name == name)
    }
}

/// A located error in a rule file.
#[derive(Clone, Debug)]
pub struct SyntaxError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(i64),
    Doc(String),
    Directive(String),
    Punct(&'static str),
}

struct Lexed {
    tok: Tok,
    line: usize,
}

fn lex(file: &str, src: &str) -> Result<Vec<Lexed>, SyntaxError> {
    let err = |line, message: String| SyntaxError {
        file: file.to_string(),
        line,
        message,
    };
    let mut out = Vec::new();
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut line = 1;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            let start = i;
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            if let Some(doc) = text.strip_prefix("///") {
                out.push(Lexed {
                    tok: Tok::Doc(doc.trim().to_string()),
                    line,
                });
            }
        } else if c == '.' && chars.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic()) {
            let start = i + 1;
            i += 1;
            while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                i += 1;
            }
            out.push(Lexed {
                tok: Tok::Directive(chars[start..i].iter().collect()),
                line,
            });
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Lexed {
                tok: Tok::Ident(chars[start..i].iter().collect()),
                line,
            });
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let n = text
                .parse::<i64>()
                .map_err(|_| err(line, format!("number `{text}` is too large")))?;
            out.push(Lexed {
                tok: Tok::Num(n),
                line,
            });
        } else if c == '"' {
            let start = i + 1;
            i += 1;
            while i < chars.len() && chars[i] != '"' && chars[i] != '\n' {
                i += 1;
            }
            if chars.get(i) != Some(&'"') {
                return Err(err(line, "unterminated string".into()));
            }
            out.push(Lexed {
                tok: Tok::Str(chars[start..i].iter().collect()),
                line,
            });
            i += 1;
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let p = match two.as_str() {
                ":-" => Some(":-"),
                "<=" => Some("<="),
                ">=" => Some(">="),
                "!=" => Some("!="),
                _ => None,
            };
            if let Some(p) = p {
                out.push(Lexed {
                    tok: Tok::Punct(p),
                    line,
                });
                i += 2;
                continue;
            }
            let p = match c {
                '(' => "(",
                ')' => ")",
                ',' => ",",
                '.' => ".",
                ':' => ":",
                '!' => "!",
                '<' => "<",
                '>' => ">",
                '=' => "=",
                '+' => "+",
                '-' => "-",
                '*' => "*",
                _ => return Err(err(line, format!("unexpected character `{c}`"))),
            };
            out.push(Lexed {
                tok: Tok::Punct(p),
                line,
            });
            i += 1;
        }
    }
    Ok(out)
}

/// Raw rule before name resolution.
struct RawAtom {
    name: String,
    args: Vec<Term>,
    line: usize,
}

enum RawLit {
    Pos(RawAtom),
    Neg(RawAtom),
    Cmp(Expr, CmpOp, Expr),
}

struct RawRule {
    head: RawAtom,
    body: Vec<RawLit>,
    doc: String,
    file: String,
    line: usize,
}

struct Parser<'a> {
    file: &'a str,
    toks: Vec<Lexed>,
    pos: usize,
}

impl Parser<'_> {
    fn line(&self) -> usize {
        self.toks
            .get(self.pos)
            .or(self.toks.last())
            .map_or(1, |t| t.line)
    }

    fn err<T>(&self, message: impl Into<String>) -> Result<T, SyntaxError> {
        Err(SyntaxError {
            file: self.file.to_string(),
            line: self.line(),
            message: message.into(),
        })
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).map(|t| t.tok.clone());
        self.pos += 1;
        t
    }

    fn eat(&mut self, p: &'static str) -> bool {
        if self.peek() == Some(&Tok::Punct(p)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, p: &'static str) -> Result<(), SyntaxError> {
        if self.eat(p) {
            Ok(())
        } else {
            self.err(format!("expected `{p}`, found {}", self.describe()))
        }
    }

    fn describe(&self) -> String {
        match self.peek() {
            None => "end of file".into(),
            Some(Tok::Ident(s)) => format!("`{s}`"),
            Some(Tok::Str(s)) => format!("\"{s}\""),
            Some(Tok::Num(n)) => format!("`{n}`"),
            Some(Tok::Doc(_)) => "a doc comment".into(),
            Some(Tok::Directive(d)) => format!("`.{d}`"),
            Some(Tok::Punct(p)) => format!("`{p}`"),
        }
    }

    fn ident(&mut self) -> Result<String, SyntaxError> {
        match self.next() {
            Some(Tok::Ident(s)) => Ok(s),
            _ => {
                self.pos -= 1;
                self.err(format!("expected a name, found {}", self.describe()))
            }
        }
    }

    fn term(&mut self) -> Result<Term, SyntaxError> {
        match self.next() {
            Some(Tok::Ident(s)) if s == "_" => Ok(Term::Wild),
            Some(Tok::Ident(s)) if s.starts_with(|c: char| c.is_ascii_lowercase()) => {
                Ok(Term::Var(s))
            }
            Some(Tok::Str(s)) => Ok(Term::Sym(s)),
            Some(Tok::Num(n)) => Ok(Term::Num(n)),
            Some(Tok::Punct("-")) => match self.next() {
                Some(Tok::Num(n)) => Ok(Term::Num(-n)),
                _ => self.err("expected a number after `-`"),
            },
            _ => {
                self.pos -= 1;
                self.err(format!(
                    "expected a variable (lower-case), `_`, a \"string\" or a number, found {}",
                    self.describe()
                ))
            }
        }
    }

    fn atom_args(&mut self) -> Result<Vec<Term>, SyntaxError> {
        self.expect("(")?;
        let mut args = Vec::new();
        if !self.eat(")") {
            loop {
                args.push(self.term()?);
                if self.eat(")") {
                    break;
                }
                self.expect(",")?;
            }
        }
        Ok(args)
    }

    fn expr_atom(&mut self) -> Result<Expr, SyntaxError> {
        if self.eat("(") {
            let e = self.expr()?;
            self.expect(")")?;
            Ok(e)
        } else {
            Ok(Expr::Term(self.term()?))
        }
    }

    fn expr_mul(&mut self) -> Result<Expr, SyntaxError> {
        let mut lhs = self.expr_atom()?;
        while self.eat("*") {
            let rhs = self.expr_atom()?;
            lhs = Expr::Bin(Box::new(lhs), ArithOp::Mul, Box::new(rhs));
        }
        Ok(lhs)
    }

    fn expr(&mut self) -> Result<Expr, SyntaxError> {
        let mut lhs = self.expr_mul()?;
        loop {
            let op = if self.eat("+") {
                ArithOp::Add
            } else if self.eat("-") {
                ArithOp::Sub
            } else {
                return Ok(lhs);
            };
            let rhs = self.expr_mul()?;
            lhs = Expr::Bin(Box::new(lhs), op, Box::new(rhs));
        }
    }

    fn literal(&mut self) -> Result<RawLit, SyntaxError> {
        let line = self.line();
        if self.eat("!") {
            let name = self.ident()?;
            let args = self.atom_args()?;
            return Ok(RawLit::Neg(RawAtom { name, args, line }));
        }
        if let (Some(Tok::Ident(name)), Some(Tok::Punct("("))) = (
            self.peek().cloned(),
            self.toks.get(self.pos + 1).map(|t| t.tok.clone()),
        ) && name.starts_with(|c: char| c.is_ascii_uppercase())
        {
            self.pos += 1;
            let args = self.atom_args()?;
            return Ok(RawLit::Pos(RawAtom { name, args, line }));
        }
        let lhs = self.expr()?;
        let op = match self.next() {
            Some(Tok::Punct("<")) => CmpOp::Lt,
            Some(Tok::Punct("<=")) => CmpOp::Le,
            Some(Tok::Punct(">")) => CmpOp::Gt,
            Some(Tok::Punct(">=")) => CmpOp::Ge,
            Some(Tok::Punct("=")) => CmpOp::Eq,
            Some(Tok::Punct("!=")) => CmpOp::Ne,
            _ => {
                self.pos -= 1;
                return self.err(format!(
                    "expected an atom or a comparison, found {}",
                    self.describe()
                ));
            }
        };
        let rhs = self.expr()?;
        Ok(RawLit::Cmp(lhs, op, rhs))
    }
}

fn parse_decl(
    p: &mut Parser<'_>,
    input: bool,
    doc: String,
    line: usize,
) -> Result<Relation, SyntaxError> {
    let name = p.ident()?;
    if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return p.err(format!(
            "relation `{name}` must start with an upper-case letter"
        ));
    }
    p.expect("(")?;
    let mut fields = Vec::new();
    if !p.eat(")") {
        loop {
            let fname = p.ident()?;
            p.expect(":")?;
            let ty = match p.ident()?.as_str() {
                "symbol" => Ty::Symbol,
                "number" => Ty::Number,
                other => return p.err(format!("unknown type `{other}` (use symbol or number)")),
            };
            fields.push(Field { name: fname, ty });
            if p.eat(")") {
                break;
            }
            p.expect(",")?;
        }
    }
    if fields.is_empty() {
        return p.err(format!("relation `{name}` needs at least one field"));
    }
    if doc.is_empty() {
        return Err(SyntaxError {
            file: p.file.to_string(),
            line,
            message: format!("relation `{name}` needs a `///` doc comment"),
        });
    }
    Ok(Relation {
        name,
        fields,
        doc,
        input,
        output: false,
        file: p.file.to_string(),
        line,
    })
}

/// Parses every rule file and checks the whole program (names, arity, types, safety).
/// `files` is a list of `(path, text)`, parsed in the order given.
pub fn parse_program(files: &[(&str, &str)]) -> Result<Program, SyntaxError> {
    let mut relations: Vec<Relation> = Vec::new();
    let mut raw_rules = Vec::new();
    for (file, src) in files {
        let toks = lex(file, src)?;
        let mut p = Parser { file, toks, pos: 0 };
        let mut doc = String::new();
        while let Some(tok) = p.peek().cloned() {
            let line = p.line();
            match tok {
                Tok::Doc(d) => {
                    p.pos += 1;
                    if !doc.is_empty() {
                        doc.push(' ');
                    }
                    doc.push_str(&d);
                }
                Tok::Directive(d) => {
                    p.pos += 1;
                    let (input, output) = match d.as_str() {
                        "input" => (true, false),
                        "decl" => (false, false),
                        "output" => (false, true),
                        other => {
                            return p.err(format!(
                                "unknown directive `.{other}` (use .input, .decl or .output)"
                            ));
                        }
                    };
                    let mut rel = parse_decl(&mut p, input, std::mem::take(&mut doc), line)?;
                    rel.output = output;
                    if relations.iter().any(|r| r.name == rel.name) {
                        return p.err(format!("relation `{}` is declared twice", rel.name));
                    }
                    relations.push(rel);
                }
                Tok::Ident(_) => {
                    let hline = p.line();
                    let name = p.ident()?;
                    let args = p.atom_args()?;
                    let head = RawAtom {
                        name,
                        args,
                        line: hline,
                    };
                    let mut body = Vec::new();
                    if p.eat(":-") {
                        loop {
                            body.push(p.literal()?);
                            if p.eat(".") {
                                break;
                            }
                            p.expect(",")?;
                        }
                    } else {
                        p.expect(".")?;
                    }
                    if doc.is_empty() {
                        return Err(SyntaxError {
                            file: file.to_string(),
                            line,
                            message: format!("rule for `{}` needs a `///` doc comment", head.name),
                        });
                    }
                    raw_rules.push(RawRule {
                        head,
                        body,
                        doc: std::mem::take(&mut doc),
                        file: file.to_string(),
                        line,
                    });
                }
                _ => {
                    return p.err(format!(
                        "expected a declaration or a rule, found {}",
                        p.describe()
                    ));
                }
            }
        }
    }
    let mut program = Program {
        relations,
        rules: Vec::new(),
        constants: Vec::new(),
    };
    for raw in raw_rules {
        let rule = resolve_rule(&mut program, raw)?;
        program.rules.push(rule);
    }
    for rel in &program.relations {
        let derived = program
            .rules
            .iter()
            .any(|r| program.relations[r.head.rel].name == rel.name);
        if rel.input && derived {
            return Err(SyntaxError {
                file: rel.file.clone(),
                line: rel.line,
                message: format!("input relation `{}` may not be derived by a rule", rel.name),
            });
        }
    }
    Ok(program)
}

fn resolve_rule(program: &mut Program, raw: RawRule) -> Result<Rule, SyntaxError> {
    let err = |line: usize, message: String| SyntaxError {
        file: raw.file.clone(),
        line,
        message,
    };
    let mut vars: Vec<(String, Ty)> = Vec::new();
    let mut wild = 0usize;
    let mut body = Vec::new();
    let note_const = |program: &mut Program, t: &Term| {
        if let Term::Sym(s) = t
            && !program.constants.contains(s)
        {
            program.constants.push(s.clone());
        }
    };
    let resolve_atom = |program: &Program, a: &RawAtom| -> Result<usize, SyntaxError> {
        let rel = program
            .relation_index(&a.name)
            .ok_or_else(|| err(a.line, format!("unknown relation `{}`", a.name)))?;
        let arity = program.relations[rel].fields.len();
        if arity != a.args.len() {
            return Err(err(
                a.line,
                format!("`{}` has {} fields, not {}", a.name, arity, a.args.len()),
            ));
        }
        Ok(rel)
    };
    fn var_ty(vars: &[(String, Ty)], name: &str) -> Option<Ty> {
        vars.iter().find(|(v, _)| v == name).map(|(_, t)| *t)
    }
    fn expr_ty(
        vars: &[(String, Ty)],
        e: &Expr,
        line: usize,
        err: &dyn Fn(usize, String) -> SyntaxError,
    ) -> Result<Ty, SyntaxError> {
        match e {
            Expr::Term(Term::Var(v)) => var_ty(vars, v)
                .ok_or_else(|| err(line, format!("variable `{v}` is used before it is bound"))),
            Expr::Term(Term::Wild) => Err(err(line, "`_` cannot appear in a comparison".into())),
            Expr::Term(Term::Sym(_)) => Ok(Ty::Symbol),
            Expr::Term(Term::Num(_)) => Ok(Ty::Number),
            Expr::Bin(a, _, b) => {
                for side in [a, b] {
                    if expr_ty(vars, side, line, err)? != Ty::Number {
                        return Err(err(line, "arithmetic needs numbers".into()));
                    }
                }
                Ok(Ty::Number)
            }
        }
    }
    for lit in &raw.body {
        match lit {
            RawLit::Pos(a) => {
                let rel = resolve_atom(program, a)?;
                let mut args = Vec::new();
                for (i, t) in a.args.iter().enumerate() {
                    let fty = program.relations[rel].fields[i].ty;
                    note_const(program, t);
                    let t = match t {
                        Term::Wild => {
                            let name = format!("_w{wild}");
                            wild += 1;
                            vars.push((name.clone(), fty));
                            Term::Var(name)
                        }
                        Term::Var(v) => {
                            match var_ty(&vars, v) {
                                Some(ty) if ty != fty => {
                                    return Err(err(
                                        a.line,
                                        format!(
                                            "variable `{v}` is a {} here but a {} before",
                                            fty.as_str(),
                                            ty.as_str()
                                        ),
                                    ));
                                }
                                Some(_) => {}
                                None => vars.push((v.clone(), fty)),
                            }
                            t.clone()
                        }
                        Term::Sym(_) | Term::Num(_) if const_type(t) != fty => {
                            return Err(err(a.line, const_mismatch(fty, i, &a.name)));
                        }
                        _ => t.clone(),
                    };
                    args.push(t);
                }
                body.push(Literal::Pos(Atom { rel, args }));
            }
            RawLit::Neg(a) => {
                let rel = resolve_atom(program, a)?;
                for (i, t) in a.args.iter().enumerate() {
                    note_const(program, t);
                    let fty = program.relations[rel].fields[i].ty;
                    match t {
                        Term::Var(v) => match var_ty(&vars, v) {
                            None => {
                                return Err(err(
                                    a.line,
                                    format!("variable `{v}` in a negation must be bound before it"),
                                ));
                            }
                            Some(ty) if ty != fty => {
                                return Err(err(
                                    a.line,
                                    format!("variable `{v}` has the wrong type here"),
                                ));
                            }
                            _ => {}
                        },
                        Term::Sym(_) | Term::Num(_) if const_type(t) != fty => {
                            return Err(err(a.line, const_mismatch(fty, i, &a.name)));
                        }
                        _ => {}
                    }
                }
                body.push(Literal::Neg(Atom {
                    rel,
                    args: a.args.clone(),
                }));
            }
            RawLit::Cmp(lhs, op, rhs) => {
                for_each_const(lhs, &mut |t| note_const(program, t));
                for_each_const(rhs, &mut |t| note_const(program, t));
                let line = raw.head.line;
                if let (CmpOp::Eq, Expr::Term(Term::Var(v))) = (op, lhs)
                    && var_ty(&vars, v).is_none()
                {
                    let ty = expr_ty(&vars, rhs, line, &err)?;
                    vars.push((v.clone(), ty));
                    body.push(Literal::Bind(v.clone(), rhs.clone()));
                    continue;
                }
                let lt = expr_ty(&vars, lhs, line, &err)?;
                let rt = expr_ty(&vars, rhs, line, &err)?;
                if lt != rt {
                    return Err(err(
                        line,
                        "a comparison needs both sides of the same type".into(),
                    ));
                }
                if lt == Ty::Symbol && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                    return Err(err(
                        line,
                        "symbols can only be compared with `=` and `!=`".into(),
                    ));
                }
                body.push(Literal::Cmp(lhs.clone(), *op, rhs.clone()));
            }
        }
    }
    let head_rel = resolve_atom(program, &raw.head)?;
    for (i, t) in raw.head.args.iter().enumerate() {
        let fty = program.relations[head_rel].fields[i].ty;
        note_const(program, t);
        match t {
            Term::Wild => {
                return Err(err(
                    raw.head.line,
                    "`_` cannot appear in a rule head".into(),
                ));
            }
            Term::Var(v) => match var_ty(&vars, v) {
                None => {
                    return Err(err(
                        raw.head.line,
                        format!("head variable `{v}` is not bound by the body"),
                    ));
                }
                Some(ty) if ty != fty => {
                    return Err(err(
                        raw.head.line,
                        format!("head variable `{v}` has the wrong type"),
                    ));
                }
                _ => {}
            },
            Term::Sym(_) | Term::Num(_) if const_type(t) != fty => {
                return Err(err(raw.head.line, const_mismatch(fty, i, &raw.head.name)));
            }
            _ => {}
        }
    }
    Ok(Rule {
        head: Atom {
            rel: head_rel,
            args: raw.head.args.clone(),
        },
        body,
        doc: raw.doc,
        file: raw.file,
        line: raw.line,
        vars,
    })
}

/// The type of a constant term (`"text"` or a number).
fn const_type(t: &Term) -> Ty {
    match t {
        Term::Num(_) => Ty::Number,
        _ => Ty::Symbol,
    }
}

/// The message for a constant whose type differs from its field's.
fn const_mismatch(field_ty: Ty, i: usize, rel: &str) -> String {
    format!("field {} of `{rel}` is a {}", i + 1, field_ty.as_str())
}

fn for_each_const(e: &Expr, f: &mut dyn FnMut(&Term)) {
    match e {
        Expr::Term(t) => f(t),
        Expr::Bin(a, _, b) => {
            for_each_const(a, f);
            for_each_const(b, f);
        }
    }
}

/// Renders an expression in rule syntax.
pub fn expr_to_string(e: &Expr) -> String {
    match e {
        Expr::Term(t) => term_to_string(t),
        Expr::Bin(a, op, b) => {
            let op = match op {
                ArithOp::Add => "+",
                ArithOp::Sub => "-",
                ArithOp::Mul => "*",
            };
            format!("({} {op} {})", expr_to_string(a), expr_to_string(b))
        }
    }
}

pub fn term_to_string(t: &Term) -> String {
    match t {
        Term::Var(v) => v.clone(),
        Term::Wild => "_".into(),
        Term::Sym(s) => format!("\"{s}\""),
        Term::Num(n) => n.to_string(),
    }
}

/// Relations, grouped by name, that each relation depends on (for documentation and export).
pub fn dependencies(program: &Program) -> BTreeMap<String, Vec<String>> {
    let mut deps: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for rule in &program.rules {
        let head = program.relations[rule.head.rel].name.clone();
        let entry = deps.entry(head).or_default();
        for lit in &rule.body {
            if let Literal::Pos(a) | Literal::Neg(a) = lit {
                let n = program.relations[a.rel].name.clone();
                if !entry.contains(&n) {
                    entry.push(n);
                }
            }
        }
    }
    deps
}

#[cfg(test)]
mod tests {
    use super::parse_program;

    fn error(src: &str) -> String {
        match parse_program(&[("t.dl", src)]) {
            Ok(_) => String::from("parsed"),
            Err(e) => e.to_string(),
        }
    }

    const DECLS: &str = "/// d\n.input A(s: symbol, n: number)\n/// d\n.decl B(s: symbol)\n";

    #[test]
    fn a_constant_of_the_wrong_type_is_named_in_body_negation_and_head() {
        let body = format!("{DECLS}/// r\nB(x) :- A(x, \"ten\").\n");
        assert_eq!(error(&body), "t.dl:6: field 2 of `A` is a number");
        let neg = format!("{DECLS}/// r\nB(x) :- A(x, _), !A(x, \"ten\").\n");
        assert_eq!(error(&neg), "t.dl:6: field 2 of `A` is a number");
        let head = format!("{DECLS}/// r\nB(1) :- A(_, _).\n");
        assert_eq!(error(&head), "t.dl:6: field 1 of `B` is a symbol");
    }

    #[test]
    fn constants_of_the_right_type_parse() {
        let ok = format!("{DECLS}/// r\nB(\"k\") :- A(x, 10), !A(x, 11).\n");
        assert_eq!(error(&ok), "parsed");
    }
}
