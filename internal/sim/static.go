package sim

import "strconv"

// This file writes the parts of the city that do not change during the simulation:
// regions, places, residents and the vaccination history.

func (w *world) writeRegions(c *csvFile) {
	for _, r := range w.regions {
		c.b = append(c.b, r.id...)
		c.b = append(c.b, ',')
		c.b = append(c.b, r.name...)
		c.b = append(c.b, ',')
		c.b = append(c.b, r.parent...)
		c.b = append(c.b, ',')
		c.b = append(c.b, r.kind...)
		c.endRow()
	}
}

func (w *world) writePlaces(c *csvFile) {
	for i := range w.placeCat {
		cat, di := int(w.placeCat[i]), int(w.placeDistrict[i])
		d := &w.districts[di]
		r := stream(w.seed, kPlace, uint64(i), 0)
		c.b = w.placeIDs.append(c.b, int32(i))
		c.b = append(c.b, ',')
		c.b = w.appendPlaceName(c.b, i, cat, d, &r)
		c.b = append(c.b, ',')
		c.b = append(c.b, w.regions[d.region].id...)
		c.b = append(c.b, ',')
		c.b = append(c.b, categories[cat].name...)
		c.b = append(c.b, ',')
		c.b = strconv.AppendFloat(c.b, d.lat0+r.float()*d.dlat, 'f', 6, 64)
		c.b = append(c.b, ',')
		c.b = strconv.AppendFloat(c.b, d.lon0+r.float()*d.dlon, 'f', 6, 64)
		c.b = append(c.b, ',')
		c.b = appendDuration(c.b, categories[cat].dwell)
		c.endRow()
	}
}

func (w *world) appendPlaceName(b []byte, i, cat int, d *district, r *rng) []byte {
	area := districtNames[d.num]
	k := int64(i) - int64(d.cats[cat][0]) + 1
	switch cat {
	case catWork:
		b = append(b, firmNames[r.intn(len(firmNames))]...)
		b = append(b, ' ')
		return append(b, firmKinds[r.intn(len(firmKinds))]...)
	case catSchool:
		b = append(b, area...)
		b = append(b, " No. "...)
		b = strconv.AppendInt(b, k, 10)
		return append(b, " School"...)
	case catRestaurant:
		return append(b, foodWords[r.intn(len(foodWords))]...)
	case catSupermarket:
		b = append(b, martNames[r.intn(len(martNames))]...)
		b = append(b, ' ')
		return append(b, area...)
	case catGym:
		return append(b, gymNames[r.intn(len(gymNames))]...)
	case catHospital:
		b = append(b, area...)
		b = append(b, " People's Hospital No. "...)
		return strconv.AppendInt(b, k, 10)
	case catTransit:
		b = append(b, area...)
		b = append(b, " Metro Station "...)
		return strconv.AppendInt(b, k, 10)
	default:
		return append(b, barNames[r.intn(len(barNames))]...)
	}
}

func (w *world) writeResidents(c *csvFile) {
	phoneOff := mix64(w.seed^0x5eed) % 100_000_000
	mailOff := mix64(w.seed^0xa11) % 100_000_000
	for p := range w.home {
		r := stream(w.seed, kName, uint64(p), 0)
		fam := w.family[p]
		en := fam&(1<<15) != 0
		sur := int(fam &^ (1 << 15))
		c.b = w.personIDs.append(c.b, int32(p))
		c.b = append(c.b, ',')
		var g1, g2 int
		if en {
			g1 = r.intn(len(enGiven))
			c.b = append(c.b, enGiven[g1]...)
			c.b = append(c.b, ' ')
			c.b = append(c.b, enSurnames[sur]...)
		} else {
			g1, g2 = r.intn(len(zhGiven)), -1
			if r.chance(0.6) {
				g2 = r.intn(len(zhGiven))
			}
			c.b = append(c.b, zhSurnames[sur][0]...)
			c.b = append(c.b, zhGiven[g1][0]...)
			if g2 >= 0 {
				c.b = append(c.b, zhGiven[g2][0]...)
			}
		}
		// Multiplying by a number prime to 10 permutes the residues, so phone numbers and
		// mailbox numbers are unique for up to 10^8 residents.
		c.b = append(c.b, ",+86138"...)
		c.b = appendPadded(c.b, (uint64(p)*48271+phoneOff)%100_000_000, 8)
		c.b = append(c.b, ',')
		if en {
			c.b = appendLower(c.b, enGiven[g1])
			c.b = append(c.b, '.')
			c.b = appendLower(c.b, enSurnames[sur])
		} else {
			c.b = append(c.b, zhGiven[g1][1]...)
			if g2 >= 0 {
				c.b = append(c.b, zhGiven[g2][1]...)
			}
			c.b = append(c.b, '.')
			c.b = append(c.b, zhSurnames[sur][1]...)
		}
		c.b = appendPadded(c.b, (uint64(p)*7919+mailOff)%100_000_000, 8)
		c.b = append(c.b, '@')
		c.b = append(c.b, mailDomains[r.intn(len(mailDomains))]...)
		if en {
			c.b = append(c.b, ",en,Asia/Shanghai,"...)
		} else {
			c.b = append(c.b, ",zh,Asia/Shanghai,"...)
		}
		c.b = append(c.b, w.regions[w.districts[w.home[p]].region].id...)
		c.endRow()
	}
}

func appendPadded(b []byte, v uint64, width int) []byte {
	var tmp [20]byte
	for i := width - 1; i >= 0; i-- {
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, tmp[:width]...)
}

func appendLower(b []byte, s string) []byte {
	for i := range len(s) {
		ch := s[i]
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		b = append(b, ch)
	}
	return b
}

// writeVaccinations writes each resident's doses: most adults had two or three doses years
// before the simulation, children fewer; about 1 % of the triple-vaccinated get a fourth
// dose during the simulated period.
func (w *world) writeVaccinations(c *csvFile) {
	for p := range w.home {
		r := stream(w.seed, kVacc, uint64(p), 0)
		var doses int
		x := r.intn(100)
		if w.role[p]&roleMask == roleChild {
			if x < 40 {
				doses = 2
			}
		} else {
			switch {
			case x < 8:
				doses = 0
			case x < 13:
				doses = 1
			case x < 50:
				doses = 2
			default:
				doses = 3
			}
		}
		if doses == 0 {
			continue
		}
		product := vaccineProducts[r.intn(3)]
		given := w.start - int64(1300+r.intn(300))*day + int64(8*hour+r.intn(9*hour))
		for dose := 1; dose <= doses; dose++ {
			switch dose {
			case 2:
				given += int64(21+r.intn(36)) * day
			case 3:
				given += int64(180+r.intn(186)) * day
				product = vaccineProducts[r.intn(len(vaccineProducts))]
			}
			w.appendDose(c, int32(p), given, product, dose)
		}
		if doses == 3 && r.chance(0.01) {
			at := w.start + int64(r.intn(w.cfg.Days))*day + int64(8*hour+r.intn(9*hour))
			w.appendDose(c, int32(p), at, vaccineProducts[r.intn(len(vaccineProducts))], 4)
		}
	}
}

func (w *world) appendDose(c *csvFile, p int32, at int64, product string, dose int) {
	c.b = w.personIDs.append(c.b, p)
	c.b = append(c.b, ',')
	c.b = appendUnix(c.b, at)
	c.b = append(c.b, ',')
	c.b = append(c.b, product...)
	c.b = append(c.b, ',')
	c.b = strconv.AppendInt(c.b, int64(dose), 10)
	c.endRow()
}
