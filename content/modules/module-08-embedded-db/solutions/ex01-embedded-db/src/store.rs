//! Milestone 2's storage engine: B+trees of slotted pages with overflow chains, merging and
//! redistribution on delete, and a free list. A [`Store`] holds any number of trees in one file,
//! each named by its root page, which never moves.

use std::collections::HashSet;
use std::ops::{Bound, RangeBounds};

use crate::spage::{
    balanced_split, build, cell_key, corrupt, get_u16, get_u32, insert_cell, interior_cell,
    leaf_cell, parse_leaf_cell, put_u32, remove_cell, set_child, set_key, space, Node, FREE,
    INLINE_MAX, INTERIOR, INTERIOR_CELL_LEN, LEAF, MIN_USED, OVERFLOW, OVERFLOW_CHUNK,
    OVERFLOW_HEADER_LEN, USABLE,
};
use crate::{DbError, PageCache, PageId, PAGE_SIZE};

/// No valid tree is deeper than this; a longer path means a pointer cycle.
const MAX_DEPTH: usize = 33;

/// What a change to a subtree asks of its parent.
enum Change {
    None,
    /// The node split: link in this separator and new right sibling.
    Split(u64, PageId),
    /// The node uses less than a third of its page: rebalance it with a sibling.
    Underfull,
}

pub(crate) struct Store {
    pub(crate) cache: PageCache,
}

impl Store {
    pub(crate) fn new(cache: PageCache) -> Self {
        Self { cache }
    }

    fn node_page(&mut self, id: PageId) -> Result<Box<[u8; PAGE_SIZE]>, DbError> {
        Ok(Box::new(*self.cache.get(id)?))
    }

    /// Makes `root` an empty leaf.
    pub(crate) fn init_root(&mut self, root: PageId) -> Result<(), DbError> {
        build(self.cache.get_mut(root)?, LEAF, 0, &[]);
        Ok(())
    }

    /// A page for a new node: the head of the free list if there is one, else a new page.
    pub(crate) fn alloc(&mut self) -> Result<PageId, DbError> {
        let head = self.cache.free_head();
        if head == 0 {
            return self.cache.allocate();
        }
        let id = PageId(head);
        if head >= self.cache.page_count() {
            return Err(corrupt(id, "free list points past the end of the file"));
        }
        let page = self.cache.get(id)?;
        if page[0] != FREE {
            return Err(corrupt(id, "free list entry is not a free page"));
        }
        let next = get_u32(page, 3).unwrap_or(0);
        self.cache.set_free_head(next);
        self.cache.get_mut(id)?.fill(0);
        Ok(id)
    }

    /// Puts `id` at the head of the free list.
    pub(crate) fn free(&mut self, id: PageId) -> Result<(), DbError> {
        let head = self.cache.free_head();
        let page = self.cache.get_mut(id)?;
        page.fill(0);
        page[0] = FREE;
        put_u32(page, 3, head);
        self.cache.set_free_head(id.0);
        Ok(())
    }

    /// Pages on the free list.
    pub(crate) fn free_pages(&mut self) -> Result<Vec<PageId>, DbError> {
        let mut pages = Vec::new();
        let mut next = self.cache.free_head();
        while next != 0 {
            let id = PageId(next);
            if pages.len() >= self.cache.page_count() as usize {
                return Err(corrupt(id, "free list has a cycle"));
            }
            let page = self.cache.get(id)?;
            if page[0] != FREE {
                return Err(corrupt(id, "free list entry is not a free page"));
            }
            pages.push(id);
            next = get_u32(page, 3).unwrap_or(0);
        }
        Ok(pages)
    }

    fn write_overflow(&mut self, rest: &[u8]) -> Result<u32, DbError> {
        let chunks: Vec<&[u8]> = rest.chunks(OVERFLOW_CHUNK).collect();
        let ids = (0..chunks.len())
            .map(|_| self.alloc())
            .collect::<Result<Vec<_>, _>>()?;
        for (i, chunk) in chunks.iter().enumerate() {
            let next = ids.get(i + 1).map_or(0, |p| p.0);
            let page = self.cache.get_mut(ids[i])?;
            page.fill(0);
            page[0] = OVERFLOW;
            page[1..3].copy_from_slice(&(chunk.len() as u16).to_be_bytes());
            put_u32(page, 3, next);
            page[OVERFLOW_HEADER_LEN..OVERFLOW_HEADER_LEN + chunk.len()].copy_from_slice(chunk);
        }
        Ok(ids.first().map_or(0, |p| p.0))
    }

    /// The overflow pages of a value of `len` bytes starting at `first`, checked for type,
    /// chunk lengths and length of the chain.
    fn overflow_chain(
        &mut self,
        leaf: PageId,
        first: u32,
        len: usize,
    ) -> Result<Vec<PageId>, DbError> {
        let mut pages = Vec::new();
        let mut remaining = len.saturating_sub(INLINE_MAX);
        let mut next = first;
        while remaining > 0 {
            if next == 0 || next >= self.cache.page_count() {
                return Err(corrupt(
                    leaf,
                    "overflow chain ends early or points past the file",
                ));
            }
            let id = PageId(next);
            let page = self.cache.get(id)?;
            let chunk = usize::from(get_u16(page, 1).unwrap_or(0));
            if page[0] != OVERFLOW || chunk != remaining.min(OVERFLOW_CHUNK) {
                return Err(corrupt(id, "bad overflow page"));
            }
            remaining -= chunk;
            next = get_u32(page, 3).unwrap_or(0);
            pages.push(id);
        }
        if next != 0 {
            return Err(corrupt(leaf, "overflow chain is longer than its value"));
        }
        Ok(pages)
    }

    /// The whole value of a leaf cell, following its overflow chain.
    fn value_of(&mut self, leaf: PageId, cell: &[u8]) -> Result<Vec<u8>, DbError> {
        let c = parse_leaf_cell(cell).ok_or_else(|| corrupt(leaf, "bad leaf cell"))?;
        let mut value = Vec::with_capacity(c.len);
        value.extend_from_slice(c.local);
        for id in self.overflow_chain(leaf, c.overflow, c.len)? {
            let page = self.cache.get(id)?;
            let want = (c.len - value.len()).min(OVERFLOW_CHUNK);
            value.extend_from_slice(&page[OVERFLOW_HEADER_LEN..OVERFLOW_HEADER_LEN + want]);
        }
        Ok(value)
    }

    /// Frees the overflow pages of a leaf cell, if it has any.
    fn free_overflow(&mut self, leaf: PageId, cell: &[u8]) -> Result<(), DbError> {
        let c = parse_leaf_cell(cell).ok_or_else(|| corrupt(leaf, "bad leaf cell"))?;
        let (first, len) = (c.overflow, c.len);
        for id in self.overflow_chain(leaf, first, len)? {
            self.free(id)?;
        }
        Ok(())
    }

    fn find_leaf(&mut self, root: PageId, key: u64) -> Result<PageId, DbError> {
        let mut page = root;
        for _ in 0..MAX_DEPTH {
            let node = Node::new(page, self.cache.get(page)?)?;
            if node.is_leaf() {
                return Ok(page);
            }
            page = node.child_for(key)?.1;
        }
        Err(corrupt(page, "tree deeper than any valid tree"))
    }

    pub(crate) fn get(&mut self, root: PageId, key: u64) -> Result<Option<Vec<u8>>, DbError> {
        let leaf = self.find_leaf(root, key)?;
        let node = Node::new(leaf, self.cache.get(leaf)?)?;
        match node.search(key)? {
            Ok(slot) => {
                let cell = node.cell(slot)?.to_vec();
                Ok(Some(self.value_of(leaf, &cell)?))
            }
            Err(_) => Ok(None),
        }
    }

    /// The largest key of the tree, if any (the last cell of the rightmost leaf).
    pub(crate) fn last_key(&mut self, root: PageId) -> Result<Option<u64>, DbError> {
        let leaf = self.find_leaf(root, u64::MAX)?;
        let node = Node::new(leaf, self.cache.get(leaf)?)?;
        match node.count() {
            0 => Ok(None),
            n => Ok(Some(node.key(n - 1)?)),
        }
    }

    pub(crate) fn insert(
        &mut self,
        root: PageId,
        key: u64,
        value: &[u8],
    ) -> Result<Option<Vec<u8>>, DbError> {
        let (old, change) = self.insert_into(root, key, value, 1)?;
        if let Change::Split(separator, right) = change {
            let left = self.alloc()?;
            let bytes = *self.cache.get(root)?;
            *self.cache.get_mut(left)? = bytes;
            build(
                self.cache.get_mut(root)?,
                INTERIOR,
                right.0,
                &[interior_cell(left, separator)],
            );
        }
        self.collapse_root(root)?;
        Ok(old)
    }

    pub(crate) fn delete(&mut self, root: PageId, key: u64) -> Result<Option<Vec<u8>>, DbError> {
        let (old, _) = self.delete_from(root, key, 1)?;
        self.collapse_root(root)?;
        Ok(old)
    }

    /// A root left with no keys and one child takes over the child's contents.
    fn collapse_root(&mut self, root: PageId) -> Result<(), DbError> {
        loop {
            let node = Node::new(root, self.cache.get(root)?)?;
            if node.is_leaf() || node.count() > 0 {
                return Ok(());
            }
            let child = node.child(0)?;
            let bytes = *self.cache.get(child)?;
            *self.cache.get_mut(root)? = bytes;
            self.free(child)?;
        }
    }

    fn status(&mut self, page: PageId) -> Result<Change, DbError> {
        let node = Node::new(page, self.cache.get(page)?)?;
        Ok(if node.used() < MIN_USED {
            Change::Underfull
        } else {
            Change::None
        })
    }

    fn insert_into(
        &mut self,
        page: PageId,
        key: u64,
        value: &[u8],
        depth: usize,
    ) -> Result<(Option<Vec<u8>>, Change), DbError> {
        if depth > MAX_DEPTH {
            return Err(corrupt(page, "tree deeper than any valid tree"));
        }
        let node = Node::new(page, self.cache.get(page)?)?;
        if !node.is_leaf() {
            let (slot, child) = node.child_for(key)?;
            let (old, change) = self.insert_into(child, key, value, depth + 1)?;
            let change = match change {
                Change::None => Change::None,
                Change::Underfull => {
                    self.rebalance(page, slot)?;
                    self.status(page)?
                }
                Change::Split(separator, right) => {
                    self.link_split(page, slot, child, separator, right)?
                }
            };
            return Ok((old, change));
        }

        let (slot, old_cell) = match node.search(key)? {
            Ok(slot) => (slot, Some(node.cell(slot)?.to_vec())),
            Err(slot) => (slot, None),
        };
        let old = match old_cell {
            Some(cell) => {
                let old = self.value_of(page, &cell)?;
                self.free_overflow(page, &cell)?;
                remove_cell(page, self.cache.get_mut(page)?, slot)?;
                Some(old)
            }
            None => None,
        };
        let overflow = if value.len() > INLINE_MAX {
            self.write_overflow(&value[INLINE_MAX..])?
        } else {
            0
        };
        let cell = leaf_cell(key, value, overflow);
        if insert_cell(page, self.cache.get_mut(page)?, slot, &cell)? {
            return Ok((old, self.status(page)?));
        }
        let node = Node::new(page, self.cache.get(page)?)?;
        let (link, mut cells) = (node.link(), node.cells()?);
        cells.insert(slot, cell);
        let right_cells = cells.split_off(balanced_split(&cells));
        let separator = cell_key(&right_cells[0], true);
        let right = self.alloc()?;
        build(self.cache.get_mut(right)?, LEAF, link, &right_cells);
        build(self.cache.get_mut(page)?, LEAF, right.0, &cells);
        Ok((old, Change::Split(separator, right)))
    }

    /// Links a split child into interior node `page`: `child` (at `slot`) keeps the keys below
    /// `separator`, `right` takes the rest. Splits `page` too if the new cell does not fit.
    fn link_split(
        &mut self,
        page: PageId,
        slot: usize,
        child: PageId,
        separator: u64,
        right: PageId,
    ) -> Result<Change, DbError> {
        let cell = interior_cell(child, separator);
        let buf = self.cache.get_mut(page)?;
        if insert_cell(page, buf, slot, &cell)? {
            set_child(page, buf, slot + 1, right)?;
            return Ok(Change::None);
        }
        let node = Node::new(page, self.cache.get(page)?)?;
        let (mut link, mut cells) = (node.link(), node.cells()?);
        cells.insert(slot, cell);
        match cells.get_mut(slot + 1) {
            Some(next) => next[0..4].copy_from_slice(&right.0.to_be_bytes()),
            None => link = right.0,
        }
        // Interior cells all have the same size: the middle cell moves up.
        let mid = cells.len() / 2;
        let right_cells = cells.split_off(mid + 1);
        let up = cells
            .pop()
            .ok_or_else(|| corrupt(page, "empty interior node"))?;
        let left_link = get_u32(&up, 0).unwrap_or(0);
        let new = self.alloc()?;
        build(self.cache.get_mut(new)?, INTERIOR, link, &right_cells);
        build(self.cache.get_mut(page)?, INTERIOR, left_link, &cells);
        Ok(Change::Split(cell_key(&up, false), new))
    }

    fn delete_from(
        &mut self,
        page: PageId,
        key: u64,
        depth: usize,
    ) -> Result<(Option<Vec<u8>>, Change), DbError> {
        if depth > MAX_DEPTH {
            return Err(corrupt(page, "tree deeper than any valid tree"));
        }
        let node = Node::new(page, self.cache.get(page)?)?;
        if !node.is_leaf() {
            let (slot, child) = node.child_for(key)?;
            let (old, change) = self.delete_from(child, key, depth + 1)?;
            if let Change::Underfull = change {
                self.rebalance(page, slot)?;
                return Ok((old, self.status(page)?));
            }
            return Ok((old, Change::None));
        }
        let Ok(slot) = node.search(key)? else {
            return Ok((None, Change::None));
        };
        let cell = node.cell(slot)?.to_vec();
        let old = self.value_of(page, &cell)?;
        self.free_overflow(page, &cell)?;
        remove_cell(page, self.cache.get_mut(page)?, slot)?;
        Ok((Some(old), self.status(page)?))
    }

    /// Rebalances child `slot` of `parent` with a sibling: merges the two into the left one if
    /// their cells fit one page (freeing the right one), else redistributes the cells evenly.
    fn rebalance(&mut self, parent: PageId, slot: usize) -> Result<(), DbError> {
        let pnode = Node::new(parent, self.cache.get(parent)?)?;
        let n = pnode.count();
        if n == 0 {
            return Ok(());
        }
        let i = slot.min(n - 1);
        let (left, right, separator) = (pnode.child(i)?, pnode.child(i + 1)?, pnode.key(i)?);
        let lpage = self.node_page(left)?;
        let rpage = self.node_page(right)?;
        let (l, r) = (Node::new(left, &lpage)?, Node::new(right, &rpage)?);
        if l.is_leaf() != r.is_leaf() {
            return Err(corrupt(parent, "children of different kinds"));
        }
        let leaf = l.is_leaf();
        let kind = if leaf { LEAF } else { INTERIOR };
        let mut cells = l.cells()?;
        if !leaf {
            cells.push(interior_cell(PageId(l.link()), separator));
        }
        cells.extend(r.cells()?);
        let link = r.link();
        if space(&cells) <= USABLE {
            build(self.cache.get_mut(left)?, kind, link, &cells);
            self.free(right)?;
            let buf = self.cache.get_mut(parent)?;
            remove_cell(parent, buf, i)?;
            set_child(parent, buf, i, left)?;
            return Ok(());
        }
        let new_separator = if leaf {
            let right_cells = cells.split_off(balanced_split(&cells));
            build(self.cache.get_mut(right)?, LEAF, link, &right_cells);
            build(self.cache.get_mut(left)?, LEAF, right.0, &cells);
            cell_key(&right_cells[0], true)
        } else {
            let mid = cells.len() / 2;
            let right_cells = cells.split_off(mid + 1);
            let up = cells
                .pop()
                .ok_or_else(|| corrupt(parent, "empty interior node"))?;
            build(self.cache.get_mut(right)?, INTERIOR, link, &right_cells);
            let left_link = get_u32(&up, 0).unwrap_or(0);
            build(self.cache.get_mut(left)?, INTERIOR, left_link, &cells);
            cell_key(&up, false)
        };
        set_key(parent, self.cache.get_mut(parent)?, i, new_separator)
    }

    pub(crate) fn depth(&mut self, root: PageId) -> Result<usize, DbError> {
        let mut depth = 1;
        let mut page = root;
        loop {
            let node = Node::new(page, self.cache.get(page)?)?;
            if node.is_leaf() {
                return Ok(depth);
            }
            page = node.child(0)?;
            depth += 1;
            if depth > MAX_DEPTH {
                return Err(corrupt(page, "tree deeper than any valid tree"));
            }
        }
    }

    /// Milestone 5: rebuilds the file as the single tree at `root` (page 1), packed: the
    /// entries are read out, every page is journaled, the file restarts with just the root, and
    /// the tree is bulk-loaded level by level. The caller commits.
    pub(crate) fn vacuum(&mut self, root: PageId) -> Result<(), DbError> {
        let entries = self.range(root, ..)?.collect::<Result<Vec<_>, _>>()?;
        self.cache.restart_from(root.0 + 1)?;
        // Leaves, packed greedily in key order (overflow chains are written on the way).
        let mut leaves: Vec<Vec<Vec<u8>>> = vec![Vec::new()];
        for (key, value) in &entries {
            let overflow = if value.len() > INLINE_MAX {
                self.write_overflow(&value[INLINE_MAX..])?
            } else {
                0
            };
            let cell = leaf_cell(*key, value, overflow);
            let last = leaves.last_mut().expect("there is always a last leaf");
            if space(last) + cell.len() + 2 > USABLE {
                leaves.push(vec![cell]);
            } else {
                last.push(cell);
            }
        }
        even_out_last_two(&mut leaves, true);
        if leaves.len() == 1 {
            build(self.cache.get_mut(root)?, LEAF, 0, &leaves[0]);
            return Ok(());
        }
        let pages = (0..leaves.len())
            .map(|_| self.alloc())
            .collect::<Result<Vec<_>, _>>()?;
        let mut level: Vec<(PageId, u64)> = Vec::with_capacity(leaves.len());
        for (i, cells) in leaves.iter().enumerate() {
            let next = pages.get(i + 1).map_or(0, |p| p.0);
            build(self.cache.get_mut(pages[i])?, LEAF, next, cells);
            level.push((pages[i], cell_key(&cells[0], true)));
        }
        // Interior levels: groups of children, packed greedily, until one node is left; it
        // becomes the root on `root`.
        loop {
            let max_children = USABLE / (INTERIOR_CELL_LEN + 2) + 1;
            let mut groups: Vec<Vec<(PageId, u64)>> =
                level.chunks(max_children).map(<[_]>::to_vec).collect();
            let mut as_cells: Vec<Vec<Vec<u8>>> = groups
                .iter()
                .map(|g| g.iter().map(|(p, k)| interior_cell(*p, *k)).collect())
                .collect();
            if as_cells.len() > 1 {
                even_out_last_two(&mut as_cells, false);
                groups = as_cells
                    .iter()
                    .map(|g| {
                        g.iter()
                            .map(|c| (PageId(get_u32(c, 0).unwrap_or(0)), cell_key(c, false)))
                            .collect()
                    })
                    .collect();
            }
            let node = |group: &[(PageId, u64)]| -> (u32, Vec<Vec<u8>>) {
                let cells = group
                    .windows(2)
                    .map(|w| interior_cell(w[0].0, w[1].1))
                    .collect();
                (group.last().map_or(0, |(p, _)| p.0), cells)
            };
            if groups.len() == 1 {
                let (link, cells) = node(&groups[0]);
                build(self.cache.get_mut(root)?, INTERIOR, link, &cells);
                return Ok(());
            }
            let mut next_level = Vec::with_capacity(groups.len());
            for group in &groups {
                let page = self.alloc()?;
                let (link, cells) = node(group);
                build(self.cache.get_mut(page)?, INTERIOR, link, &cells);
                next_level.push((page, group[0].1));
            }
            level = next_level;
        }
    }

    /// Checks every tree in `roots`, their overflow chains and the free list, and that every page
    /// of the file is in exactly one of them.
    pub(crate) fn check(&mut self, roots: &[PageId]) -> Result<(), DbError> {
        let mut seen = HashSet::new();
        for &root in roots {
            let mut walk = CheckWalk {
                seen: &mut seen,
                leaf_depth: None,
                leaves: Vec::new(),
                root,
            };
            self.check_node(&mut walk, root, None, None, 1)?;
            let leaves = walk.leaves;
            for pair in leaves.windows(2) {
                if pair[0].1 != pair[1].0 .0 {
                    return Err(corrupt(pair[0].0, "leaf chain skips or reorders a leaf"));
                }
            }
            if let Some(&(last, next)) = leaves.last() {
                if next != 0 {
                    return Err(corrupt(last, "last leaf has a successor"));
                }
            }
        }
        for page in self.free_pages()? {
            if !seen.insert(page.0) {
                return Err(corrupt(page, "page is both free and in use, or free twice"));
            }
        }
        let pages = self.cache.page_count() as usize - 1;
        if seen.len() != pages {
            return Err(corrupt(
                PageId(0),
                format!(
                    "{} of {pages} pages are neither in use nor free",
                    pages - seen.len()
                ),
            ));
        }
        Ok(())
    }

    fn check_node(
        &mut self,
        walk: &mut CheckWalk<'_>,
        page: PageId,
        low: Option<u64>,
        high: Option<u64>,
        depth: usize,
    ) -> Result<(), DbError> {
        if page.0 == 0 || page.0 >= self.cache.page_count() {
            return Err(corrupt(page, "pointer past the end of the file"));
        }
        if depth > MAX_DEPTH || !walk.seen.insert(page.0) {
            return Err(corrupt(page, "page is reachable twice"));
        }
        let bytes = self.node_page(page)?;
        let node = Node::new(page, &bytes)?;
        // Slots: cells inside the content area, disjoint, and with the fragmented bytes they
        // account for every byte of it.
        let mut extents = Vec::with_capacity(node.count());
        for slot in 0..node.count() {
            let cell = node.cell(slot)?;
            let off = cell.as_ptr() as usize - bytes.as_ptr() as usize;
            extents.push((off, off + cell.len()));
        }
        extents.sort_unstable();
        if extents.windows(2).any(|w| w[0].1 > w[1].0) {
            return Err(corrupt(page, "cells overlap"));
        }
        let cell_bytes: usize = extents.iter().map(|(a, b)| b - a).sum();
        if cell_bytes + node.frag() != PAGE_SIZE - node.content_start() {
            return Err(corrupt(
                page,
                "free-space accounting does not match the cells",
            ));
        }
        let mut keys = Vec::with_capacity(node.count());
        for slot in 0..node.count() {
            keys.push(node.key(slot)?);
        }
        if !keys.windows(2).all(|w| w[0] < w[1]) {
            return Err(corrupt(page, "keys are not strictly increasing"));
        }
        let in_bounds = |k: &u64| low.is_none_or(|l| *k >= l) && high.is_none_or(|h| *k < h);
        if !keys.iter().all(in_bounds) {
            return Err(corrupt(page, "key outside its parent's separators"));
        }
        if node.is_leaf() {
            if keys.is_empty() && page != walk.root {
                return Err(corrupt(page, "empty leaf"));
            }
            if *walk.leaf_depth.get_or_insert(depth) != depth {
                return Err(corrupt(page, "leaves at different depths"));
            }
            walk.leaves.push((page, node.link()));
            for slot in 0..node.count() {
                let c =
                    parse_leaf_cell(node.cell(slot)?).ok_or_else(|| corrupt(page, "bad cell"))?;
                let (first, len) = (c.overflow, c.len);
                for id in self.overflow_chain(page, first, len)? {
                    if !walk.seen.insert(id.0) {
                        return Err(corrupt(id, "overflow page is reachable twice"));
                    }
                }
            }
        } else {
            if keys.is_empty() {
                return Err(corrupt(page, "interior node without keys"));
            }
            for i in 0..=keys.len() {
                let lo = if i == 0 { low } else { Some(keys[i - 1]) };
                let hi = if i == keys.len() { high } else { Some(keys[i]) };
                self.check_node(walk, node.child(i)?, lo, hi, depth + 1)?;
            }
        }
        Ok(())
    }

    pub(crate) fn range<R: RangeBounds<u64>>(
        &mut self,
        root: PageId,
        range: R,
    ) -> Result<Range<'_>, DbError> {
        let start = range.start_bound().cloned();
        let seek = match start {
            Bound::Included(k) | Bound::Excluded(k) => k,
            Bound::Unbounded => 0,
        };
        let leaf = self.find_leaf(root, seek)?;
        let node = Node::new(leaf, self.cache.get(leaf)?)?;
        let slot = match (start, node.search(seek)?) {
            (Bound::Excluded(_), Ok(i)) => i + 1,
            (_, Ok(i) | Err(i)) => i,
        };
        Ok(Range {
            store: self,
            leaf: leaf.0,
            slot,
            end: range.end_bound().cloned(),
            last: None,
            hops: 0,
        })
    }
}

/// After greedy packing, a last node under a third full shares the cells of the last two
/// nodes evenly (for interior levels the items are children, one more than the keys).
fn even_out_last_two(nodes: &mut Vec<Vec<Vec<u8>>>, leaf: bool) {
    let n = nodes.len();
    if n < 2 {
        return;
    }
    let last = &nodes[n - 1];
    let used = if leaf {
        space(last)
    } else {
        space(last).saturating_sub(INTERIOR_CELL_LEN + 2)
    };
    if used >= MIN_USED {
        return;
    }
    let mut cells = nodes.pop().unwrap_or_default();
    let mut all = nodes.pop().unwrap_or_default();
    all.append(&mut cells);
    let at = if leaf {
        balanced_split(&all)
    } else {
        all.len() / 2
    };
    let right = all.split_off(at);
    nodes.push(all);
    nodes.push(right);
}

struct CheckWalk<'a> {
    seen: &'a mut HashSet<u32>,
    leaf_depth: Option<usize>,
    /// (leaf, its next-leaf link), in key order.
    leaves: Vec<(PageId, u32)>,
    root: PageId,
}

/// An iterator over a key range of one tree. It re-reads its leaf from the cache at each step
/// (the tree cannot change meanwhile: the iterator borrows the store mutably), and follows the
/// leaf chain. An error is yielded once and ends the iteration.
pub(crate) struct Range<'a> {
    store: &'a mut Store,
    /// The current leaf; 0 once the scan is over.
    leaf: u32,
    slot: usize,
    end: Bound<u64>,
    last: Option<u64>,
    /// Leaves visited, bounded by the page count so that a chain cycle ends the scan.
    hops: u32,
}

impl Range<'_> {
    fn step(&mut self) -> Result<Option<(u64, Vec<u8>)>, DbError> {
        while self.leaf != 0 {
            let id = PageId(self.leaf);
            let node = Node::new(id, self.store.cache.get(id)?)?;
            if !node.is_leaf() {
                return Err(corrupt(id, "leaf chain points at an interior node"));
            }
            if self.slot >= node.count() {
                self.leaf = node.link();
                self.slot = 0;
                self.hops += 1;
                if self.hops > self.store.cache.page_count() {
                    return Err(corrupt(id, "leaf chain has a cycle"));
                }
                continue;
            }
            let cell = node.cell(self.slot)?.to_vec();
            let key = cell_key(&cell, true);
            let past_end = match self.end {
                Bound::Included(e) => key > e,
                Bound::Excluded(e) => key >= e,
                Bound::Unbounded => false,
            };
            if past_end {
                self.leaf = 0;
                return Ok(None);
            }
            if self.last.is_some_and(|last| key <= last) {
                return Err(corrupt(id, "leaf chain goes backwards"));
            }
            self.last = Some(key);
            self.slot += 1;
            return Ok(Some((key, self.store.value_of(id, &cell)?)));
        }
        Ok(None)
    }
}

impl Iterator for Range<'_> {
    type Item = Result<(u64, Vec<u8>), DbError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.step() {
            Ok(item) => item.map(Ok),
            Err(e) => {
                self.leaf = 0;
                Some(Err(e))
            }
        }
    }
}
