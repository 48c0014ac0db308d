//! Statements written once for every backend, over sqlx's `QueryBuilder`, so that a filter, a
//! precondition or a page means exactly the same on SQLite and on Postgres. A backend says what
//! differs in its [`Dialect`]; values are bound through [`Sql`]'s methods, which store text in
//! the backend's own form.

use sqlx::{Database, Encode, QueryBuilder, Type};

use crate::domain::{Page, ResetScope, Status, TenantScope, Visibility};

/// What differs between the backends' SQL: how text is stored (Postgres cannot store NUL, so
/// it escapes it; SQLite stores text as is), and the few expressions each spells its own way.
pub trait Dialect: Bind {
    /// The backend's name, as the health check reports it.
    const NAME: &'static str;
    /// A resource's tags as a JSON array of `[key, value]` pairs in key order, named `tags`
    /// (`[]` when it has none): the rows of `tags` whose `owner` column names the row of
    /// `resources` being selected.
    fn tags_json(resources: &str, tags: &str, owner: &str) -> String;
    /// Appended to a read of the rows a transaction goes on to write (the flow logs a tag write
    /// goes to, the transitions a settling pass completes): Postgres locks them in id order, so
    /// that concurrent writers take turns on them (a tag limit holds, a transition completes
    /// once) without deadlocking; SQLite's writes take turns anyway.
    const LOCK_FOR_UPDATE: &'static str;

    /// Appended to a read of a row that must not be deleted before the transaction ends:
    /// Postgres takes a share lock on it; SQLite's writers take turns anyway.
    const HOLD_ROW: &'static str;
    /// The function giving the 1-based position of text in a column (0 when absent), called
    /// `(column, text)`.
    const POSITION: &'static str;
    /// The first statement of a transaction whose reads must all see one state of the database
    /// (a snapshot's export): Postgres reads each statement's own by default; a SQLite
    /// transaction reads one already.
    const CONSISTENT_READS: Option<&'static str>;

    /// Text as the backend stores it.
    fn store_text(value: &str) -> String;
    /// Stored text back as the caller wrote it.
    fn load_text(stored: String) -> String;
    /// A statement that makes the writers bounded by one tenant's quota take turns until the
    /// transaction ends (`key` names the tenant), where concurrent writers could otherwise both
    /// count before either inserts. SQLite has one writer at a time: `None`.
    fn quota_lock(key: &str) -> Option<Sql<Self>>;
}

/// Binding of the few value types the statements use; implemented once for every database whose
/// driver encodes them.
pub trait Bind: Database + Sized {
    fn bind_text(query: &mut QueryBuilder<'static, Self>, value: String);
    fn bind_opt_text(query: &mut QueryBuilder<'static, Self>, value: Option<String>);
    fn bind_int(query: &mut QueryBuilder<'static, Self>, value: i64);
    fn bind_opt_int(query: &mut QueryBuilder<'static, Self>, value: Option<i64>);
    fn bind_bool(query: &mut QueryBuilder<'static, Self>, value: bool);
}

impl<DB> Bind for DB
where
    DB: Database,
    String: Encode<'static, DB> + Type<DB>,
    Option<String>: Encode<'static, DB> + Type<DB>,
    i64: Encode<'static, DB> + Type<DB>,
    Option<i64>: Encode<'static, DB> + Type<DB>,
    bool: Encode<'static, DB> + Type<DB>,
{
    fn bind_text(query: &mut QueryBuilder<'static, Self>, value: String) {
        query.push_bind(value);
    }
    fn bind_opt_text(query: &mut QueryBuilder<'static, Self>, value: Option<String>) {
        query.push_bind(value);
    }
    fn bind_int(query: &mut QueryBuilder<'static, Self>, value: i64) {
        query.push_bind(value);
    }
    fn bind_opt_int(query: &mut QueryBuilder<'static, Self>, value: Option<i64>) {
        query.push_bind(value);
    }
    fn bind_bool(query: &mut QueryBuilder<'static, Self>, value: bool) {
        query.push_bind(value);
    }
}

/// A statement under construction, with the binding helpers chained like `push`.
pub struct Sql<DB: Dialect>(QueryBuilder<'static, DB>);

impl<DB: Dialect> Sql<DB> {
    pub fn new(init: impl std::fmt::Display) -> Self {
        let mut query = QueryBuilder::default();
        query.push(init);
        Self(query)
    }

    pub fn push(&mut self, sql: impl std::fmt::Display) -> &mut Self {
        self.0.push(sql);
        self
    }

    pub fn text(&mut self, value: &str) -> &mut Self {
        DB::bind_text(&mut self.0, DB::store_text(value));
        self
    }

    pub fn opt_text(&mut self, value: Option<&str>) -> &mut Self {
        DB::bind_opt_text(&mut self.0, value.map(DB::store_text));
        self
    }

    pub fn int(&mut self, value: i64) -> &mut Self {
        DB::bind_int(&mut self.0, value);
        self
    }

    pub fn opt_int(&mut self, value: Option<i64>) -> &mut Self {
        DB::bind_opt_int(&mut self.0, value);
        self
    }

    pub fn boolean(&mut self, value: bool) -> &mut Self {
        DB::bind_bool(&mut self.0, value);
        self
    }

    /// The finished statement, for an executor to run.
    pub fn into_builder(self) -> QueryBuilder<'static, DB> {
        self.0
    }
}

/// Scopes a query to what `visibility` allows; `alias` prefixes the columns (`m.` in a
/// subquery).
pub fn push_scope<DB: Dialect>(sql: &mut Sql<DB>, alias: &str, visibility: Visibility<'_>) {
    match visibility {
        Visibility::Tenant(scope) => push_tenant(sql, alias, scope),
        Visibility::Any {
            provider,
            tenant_id,
            region_id,
        } => {
            if let Some(provider) = provider {
                sql.push(format!(" AND {alias}provider = "))
                    .text(provider.as_str());
            }
            if let Some(tenant_id) = tenant_id {
                sql.push(format!(" AND {alias}tenant_id = "))
                    .text(tenant_id);
            }
            if let Some(region_id) = region_id {
                sql.push(format!(" AND {alias}region_id = "))
                    .text(region_id);
            }
        }
    }
}

/// A list's order and page: after the marker's row (its `seq`, looked up in `table` within
/// the same visibility), or at an offset.
pub fn push_page<DB: Dialect>(
    sql: &mut Sql<DB>,
    table: &str,
    visibility: Visibility<'_>,
    page: &Page,
) {
    let limit = match page {
        Page::AfterMarker { marker, limit } => {
            if let Some(marker) = marker {
                // An unknown marker compares against NULL and yields an empty page.
                sql.push(format!(
                    " AND seq > (SELECT m.seq FROM {table} m WHERE m.id = "
                ))
                .text(marker);
                push_scope(sql, "m.", visibility);
                sql.push(")");
            }
            *limit
        }
        Page::Offset { limit, .. } => *limit,
    };
    sql.push(" ORDER BY seq LIMIT ").int(i64::from(limit));
    if let Page::Offset { offset, .. } = page {
        sql.push(" OFFSET ")
            .int(i64::try_from(*offset).unwrap_or(i64::MAX));
    }
}

/// A page of `table` with the number of matches on every row (`total`), in one statement so
/// that the page and its count come from one snapshot: the page is chosen over `seq` alone and
/// the count is one uncorrelated subquery, both on the table's indexes, so only the page's rows
/// are read whole (`columns` may hold per-row subqueries: tags, existence checks). A
/// `COUNT(*) OVER ()` beside the columns made the database build every match's row first: 0.7 s
/// for page 3 of a tenant of 100,000 flow logs, against 0.05 s (debug build, SQLite).
/// `conditions` appends the filter (` AND …`) twice; `page` appends the ordering and paging.
pub fn counted_page_of<DB: Dialect>(
    table: &str,
    columns: &str,
    conditions: impl Fn(&mut Sql<DB>),
    page: impl FnOnce(&mut Sql<DB>),
) -> Sql<DB> {
    counted_page_with(
        table,
        columns,
        |sql| {
            sql.push(format!("(SELECT COUNT(*) FROM {table} WHERE TRUE"));
            conditions(sql);
            sql.push(")");
        },
        &conditions,
        page,
    )
}

/// [`counted_page_of`] with the total given by `total`, a scalar expression (a kept count,
/// say, where counting the matches would read them all).
pub fn counted_page_with<DB: Dialect>(
    table: &str,
    columns: &str,
    total: impl FnOnce(&mut Sql<DB>),
    conditions: impl Fn(&mut Sql<DB>),
    page: impl FnOnce(&mut Sql<DB>),
) -> Sql<DB> {
    let mut sql = Sql::new(format!("SELECT {columns}, "));
    total(&mut sql);
    sql.push(format!(
        " AS total FROM {table} JOIN (SELECT seq AS page_seq FROM {table} WHERE TRUE"
    ));
    conditions(&mut sql);
    page(&mut sql);
    sql.push(format!(
        ") page ON {table}.seq = page.page_seq ORDER BY {table}.seq"
    ));
    sql
}

/// `AND provider = … AND tenant_id = … AND region_id = …`.
pub fn push_tenant<DB: Dialect>(sql: &mut Sql<DB>, alias: &str, scope: &TenantScope) {
    sql.push(format!(" AND {alias}provider = "))
        .text(scope.provider().as_str())
        .push(format!(" AND {alias}tenant_id = "))
        .text(scope.tenant_id())
        .push(format!(" AND {alias}region_id = "))
        .text(scope.region_id());
}

/// The precondition of a conditional write: `AND status IN (…)`. Unlike a filter, an empty
/// list matches nothing.
pub fn push_status_precondition<DB: Dialect>(sql: &mut Sql<DB>, expected: &[Status]) {
    if expected.is_empty() {
        sql.push(" AND FALSE");
    } else {
        push_any_of(sql, "status", expected.iter().map(|s| s.as_str()));
    }
}

/// `AND column IN (…)`, or nothing for an empty list (no constraint).
pub fn push_any_of<'v, DB: Dialect>(
    sql: &mut Sql<DB>,
    column: &str,
    values: impl ExactSizeIterator<Item = &'v str>,
) {
    if values.len() == 0 {
        return;
    }
    sql.push(format!(" AND {column} IN ("));
    for (i, value) in values.enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.text(value);
    }
    sql.push(")");
}

/// ` AND` the row (columns prefixed by `alias`, e.g. `"o."` or `""`) is of the reset's
/// provider and tenant (and region).
pub fn push_reset_scope<DB: Dialect>(sql: &mut Sql<DB>, alias: &str, scope: &ResetScope) {
    if let Some(provider) = scope.provider() {
        sql.push(format!(" AND {alias}provider = "))
            .text(provider.as_str());
    }
    if let Some(tenant) = scope.tenant() {
        sql.push(format!(" AND {alias}tenant_id = "))
            .text(&tenant.id);
        if let Some(region) = &tenant.region_id {
            sql.push(format!(" AND {alias}region_id = ")).text(region);
        }
    }
}

/// Deletes the rows of `table` the reset scope covers (the table has `provider`, `tenant_id`
/// and `region_id` columns).
pub fn delete_in_reset<DB: Dialect>(table: &str, scope: &ResetScope) -> Sql<DB> {
    let mut sql = Sql::new(format!("DELETE FROM {table} WHERE 1 = 1"));
    push_reset_scope(&mut sql, "", scope);
    sql
}

/// Deletes the rows of `table` (say, tags) whose owner, the `owners` row with the same
/// `provider` and with `id` = `table.owner`, the reset scope covers.
pub fn delete_owned_in_reset<DB: Dialect>(
    table: &str,
    owners: &str,
    owner: &str,
    scope: &ResetScope,
) -> Sql<DB> {
    let mut sql = Sql::new(format!(
        "DELETE FROM {table} WHERE EXISTS (SELECT 1 FROM {owners} o \
         WHERE o.provider = {table}.provider AND o.id = {table}.{owner}"
    ));
    push_reset_scope(&mut sql, "o.", scope);
    sql.push(")");
    sql
}
