package sim

import "fmt"

// This file writes the health records: daily declarations as the days go by, and at the
// end the trips, lab results, cases, ground truth and region risk levels.

// declare writes day d's health declarations: a fixed 5 % sample of residents declares
// every morning (symptoms if they have any, now and then a stray one if not), and every
// symptomatic person declares their symptoms each day from onset until isolation.
func (e *epidemic) declare(d int, c *csvFile) {
	w := e.w
	r := stream(w.seed, kDeclare, uint64(d), 0)
	d0 := int32(d) * day
	for _, p := range e.declarers {
		at := d0 + 7*hour + r.i32(3*hour)
		sym := e.symptoms(p, at)
		if sym == "" && r.intn(400) == 0 {
			sym = noiseSymptoms[r.intn(len(noiseSymptoms))]
		}
		e.appendDeclaration(c, p, at, sym)
	}
	for i := range e.inf {
		f := &e.inf[i]
		if f.asym || f.onset >= d0+day || f.onset+symInfectious <= d0 || w.role[f.person]&flagDeclarer != 0 {
			continue
		}
		at := max(d0+7*hour+r.i32(3*hour), f.onset+30*minute+r.i32(2*hour))
		if at < d0+day && at < e.iso[f.person] {
			e.appendDeclaration(c, f.person, at, e.symptoms(f.person, at))
		}
	}
}

// symptoms returns what p feels at t: nothing, or a fixed set for a week after onset.
func (e *epidemic) symptoms(p, t int32) string {
	n := e.infNo[p]
	if n < 0 || e.inf[n].asym || t < e.inf[n].onset || t >= e.inf[n].onset+symInfectious {
		return ""
	}
	return symptomSets[mix64(e.w.seed^uint64(p))%uint64(len(symptomSets))]
}

func (e *epidemic) appendDeclaration(c *csvFile, p, at int32, sym string) {
	c.b = e.w.personIDs.append(c.b, p)
	c.b = append(c.b, ',')
	c.b = e.w.clock.at(c.b, at)
	c.b = append(c.b, ',')
	c.b = append(c.b, sym...)
	c.endRow()
}

func (e *epidemic) writeStays(c *csvFile) {
	for _, s := range e.stays {
		c.b = e.w.personIDs.append(c.b, s.person)
		c.b = append(c.b, ',')
		c.b = append(c.b, e.w.regions[e.w.districts[s.district].region].id...)
		c.b = append(c.b, ',')
		c.b = e.w.clock.at(c.b, s.from)
		c.b = append(c.b, ',')
		c.b = e.w.clock.at(c.b, s.to)
		c.endRow()
	}
}

func (e *epidemic) writeLabs(c *csvFile) {
	for _, l := range e.labs {
		c.b = e.w.personIDs.append(c.b, l.person)
		c.b = append(c.b, ',')
		c.b = e.w.clock.at(c.b, l.at)
		c.b = append(c.b, ',')
		c.b = append(c.b, resultNames[l.result]...)
		if l.antigen {
			c.b = append(c.b, ",antigen"...)
		} else {
			c.b = append(c.b, ",pcr"...)
		}
		c.endRow()
	}
}

func (e *epidemic) writeCases(c *csvFile) {
	for _, k := range e.cases {
		c.b = e.w.personIDs.append(c.b, k.person)
		c.b = append(c.b, ',')
		c.b = e.w.clock.at(c.b, k.onset)
		c.b = append(c.b, ',')
		c.b = e.w.clock.at(c.b, k.iso)
		c.b = append(c.b, ',')
		if rel := k.iso + isolationDays*day; rel <= e.w.end {
			c.b = e.w.clock.at(c.b, rel)
		}
		c.endRow()
	}
}

// writeAppeals writes the appeals reviewers decided: every twentieth resident
// with a negative test appealed their code, and it was approved as green six
// hours after the specimen, for three days.
func (e *epidemic) writeAppeals(c *csvFile) {
	n := 0
	for _, l := range e.labs {
		decided := l.at + 6*hour
		if l.result != negative || l.person%20 != 0 || decided > e.w.end {
			continue
		}
		n++
		c.b = fmt.Appendf(c.b, "a%07d,", n)
		c.b = e.w.personIDs.append(c.b, l.person)
		c.b = append(c.b, ",approved,green,"...)
		c.b = e.w.clock.at(c.b, decided)
		c.b = append(c.b, ',')
		c.b = e.w.clock.at(c.b, decided+3*day)
		c.b = append(c.b, ",tested negative"...)
		c.endRow()
	}
}

func (e *epidemic) writeInfections(c *csvFile) {
	for _, f := range e.inf {
		c.b = e.w.personIDs.append(c.b, f.person)
		c.b = append(c.b, ',')
		c.b = e.w.clock.at(c.b, f.at)
		c.b = append(c.b, ',')
		if f.infector >= 0 {
			c.b = e.w.personIDs.append(c.b, f.infector)
			c.b = append(c.b, ',')
			c.b = e.w.placeIDs.append(c.b, f.place)
		} else {
			c.b = append(c.b, ',')
		}
		c.endRow()
	}
}

// writeRegionLevels writes the risk levels an investigator would have set: the country at
// low throughout; a district of the last city at medium for the first four days (an
// earlier outbreak winding down); and each district with cases raised to medium from the
// midnight after its first case's isolation and to high after its fifth.
func (e *epidemic) writeRegionLevels(c *csvFile) {
	w := e.w
	row := func(region int, level string, from, to int32) {
		c.b = append(c.b, w.regions[region].id...)
		c.b = append(c.b, ',')
		c.b = append(c.b, level...)
		c.b = append(c.b, ',')
		c.b = w.clock.at(c.b, from)
		c.b = append(c.b, ',')
		if to < noIso {
			c.b = w.clock.at(c.b, to)
		}
		c.endRow()
	}
	row(0, "low", 0, noIso)
	last := w.cities[len(w.cities)-1]
	if w.cfg.Days > 4 {
		row(w.districts[last.d1-1].region, "medium", 0, 4*day)
	}
	count := make([]int, len(w.districts))
	medium, high := make([]int32, len(w.districts)), make([]int32, len(w.districts))
	for _, k := range e.cases {
		d := w.home[k.person]
		count[d]++
		switch count[d] {
		case 1:
			medium[d] = (k.iso/day + 1) * day
		case 5:
			high[d] = (k.iso/day + 1) * day
		}
	}
	for d := range w.districts {
		if count[d] == 0 || medium[d] >= w.end {
			continue
		}
		reg := w.districts[d].region
		row(reg, "low", 0, medium[d])
		if count[d] < 5 || high[d] >= w.end {
			row(reg, "medium", medium[d], noIso)
			continue
		}
		if high[d] > medium[d] {
			row(reg, "medium", medium[d], high[d])
		}
		row(reg, "high", high[d], noIso)
	}
}
