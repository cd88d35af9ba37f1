-- Pyrite demo database: a small lending library.
--
-- Built by `python -m pyrite.demo demo/demo.db demo/demo.sql` with Pyrite
-- itself: every row below is generated in SQL from a few small word lists
-- (INSERT ... SELECT over cross joins), so the file is the same on every run.
-- Try, in the shell that `make demo` opens:
--   .tables
--   .schema books
--   SELECT a.name, count(*) FROM books b JOIN authors a ON a.id = b.author_id
--     GROUP BY a.name ORDER BY 2 DESC, a.name LIMIT 5;
--   SELECT year, count(*), round(avg(price), 2) FROM books GROUP BY year ORDER BY year LIMIT 10;
--   SELECT m.name, count(*) AS open_loans FROM loans l JOIN members m ON m.id = l.member_id
--     WHERE l.returned IS NULL GROUP BY m.name ORDER BY open_loans DESC, m.name LIMIT 5;

-- Helper tables: digits and word lists, dropped at the end.
CREATE TABLE digits(d INTEGER PRIMARY KEY);
INSERT INTO digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9);

CREATE TABLE first_names(i INTEGER PRIMARY KEY, w TEXT);
INSERT INTO first_names VALUES
  (0,'Ada'),(1,'Boris'),(2,'Chiara'),(3,'Dmitri'),(4,'Elena'),
  (5,'Farid'),(6,'Grace'),(7,'Hiro'),(8,'Ines'),(9,'Jonas');

CREATE TABLE last_names(i INTEGER PRIMARY KEY, w TEXT);
INSERT INTO last_names VALUES
  (0,'Lovelace'),(1,'Okafor'),(2,'Rossi'),(3,'Ivanova'),(4,'Nakamura'),
  (5,'Haddad'),(6,'Hopper'),(7,'Silva'),(8,'Berg'),(9,'Moreau');

CREATE TABLE adjectives(i INTEGER PRIMARY KEY, w TEXT);
INSERT INTO adjectives VALUES
  (0,'Silent'),(1,'Crimson'),(2,'Hidden'),(3,'Last'),(4,'Northern'),
  (5,'Paper'),(6,'Quiet'),(7,'Golden'),(8,'Broken'),(9,'Endless');

CREATE TABLE nouns(i INTEGER PRIMARY KEY, w TEXT);
INSERT INTO nouns VALUES
  (0,'River'),(1,'Garden'),(2,'Machine'),(3,'Harbour'),(4,'Library'),
  (5,'Winter'),(6,'Orchard'),(7,'Lighthouse'),(8,'Compass'),(9,'Archive');

-- The library.
CREATE TABLE authors(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  born INTEGER,
  country TEXT
);

CREATE TABLE books(
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  author_id INTEGER NOT NULL REFERENCES authors(id),
  year INTEGER,
  pages INTEGER,
  price REAL
);

CREATE TABLE members(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  joined TEXT
);

CREATE TABLE loans(
  id INTEGER PRIMARY KEY,
  book_id INTEGER NOT NULL REFERENCES books(id),
  member_id INTEGER NOT NULL REFERENCES members(id),
  out_date TEXT NOT NULL,
  returned TEXT
);

CREATE INDEX books_author ON books(author_id);
CREATE INDEX books_year ON books(year);
CREATE UNIQUE INDEX members_name ON members(name);
CREATE INDEX loans_member ON loans(member_id, out_date);

-- 20 authors.
INSERT INTO authors(name, born, country)
  SELECT f.w || ' ' || l.w,
         1900 + (f.i * 37 + l.i * 11) % 90,
         CASE (f.i + l.i) % 5
           WHEN 0 THEN 'United Kingdom' WHEN 1 THEN 'Nigeria' WHEN 2 THEN 'Italy'
           WHEN 3 THEN 'Japan' ELSE 'Brazil' END
  FROM last_names l, first_names f
  WHERE (f.i * 3 + l.i) % 5 = 0
  ORDER BY l.i, f.i;

-- 300 books: every adjective/noun pair, in three volumes.
INSERT INTO books(title, author_id, year, pages, price)
  SELECT 'The ' || adj.w || ' ' || n.w
           || CASE v.d WHEN 1 THEN ' II' WHEN 2 THEN ' III' ELSE '' END,
         1 + ((v.d * 100 + adj.i * 10 + n.i) * 7 + (v.d * 100 + adj.i * 10 + n.i) / 9) % 20,
         1950 + (v.d * 100 + adj.i * 10 + n.i) * 13 % 74,
         80 + (v.d * 100 + adj.i * 10 + n.i) * 37 % 600,
         5 + ((v.d * 100 + adj.i * 10 + n.i) * 17 % 3000) / 100.0
  FROM digits v, adjectives adj, nouns n
  WHERE v.d < 3
  ORDER BY v.d, adj.i, n.i;

-- 50 members.
INSERT INTO members(name, joined)
  SELECT f.w || ' ' || l.w,
         date('2020-01-01', '+' || ((a.d * 10 + f.i) * 29) || ' days')
  FROM digits a, first_names f, last_names l
  WHERE a.d < 5 AND l.i = (a.d * 3 + f.i * 7 + 1) % 10
  ORDER BY a.d, f.i;

-- 1000 loans; every seventh one is still out.
INSERT INTO loans(book_id, member_id, out_date, returned)
  SELECT 1 + (a.d * 100 + b.d * 10 + c.d) * 7919 % 300,
         1 + (a.d * 100 + b.d * 10 + c.d) * 31 % 50,
         date('2023-01-01', '+' || ((a.d * 100 + b.d * 10 + c.d) * 3 % 365) || ' days'),
         CASE WHEN (a.d * 100 + b.d * 10 + c.d) % 7 = 0 THEN NULL
              ELSE date('2023-01-01', '+' || ((a.d * 100 + b.d * 10 + c.d) * 3 % 365
                                              + 7 + c.d * 3) || ' days') END
  FROM digits a, digits b, digits c
  ORDER BY a.d, b.d, c.d;

DROP TABLE digits;
DROP TABLE first_names;
DROP TABLE last_names;
DROP TABLE adjectives;
DROP TABLE nouns;
