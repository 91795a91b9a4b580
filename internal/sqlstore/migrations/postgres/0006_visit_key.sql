-- A visit is known by its person, place and check-in: the person index is
-- unique on them, so that storing a visit again leaves it out. Visits
-- stored twice before keep their first ID.
DELETE FROM visits a USING visits b
WHERE a.person = b.person AND a.check_in = b.check_in AND a.place = b.place AND a.id > b.id;
DROP INDEX visits_person;
CREATE UNIQUE INDEX visits_person ON visits (person, check_in, place);
