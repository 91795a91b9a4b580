package route

import "math"

// GreatCircleKm is the great-circle (haversine) distance in km between two
// (lon, lat) points in degrees, on a sphere of radius 6371 km.
func GreatCircleKm(a, b [2]float64) float64 {
	const rad = math.Pi / 180
	lat1, lat2 := a[1]*rad, b[1]*rad
	dlat, dlon := lat2-lat1, (b[0]-a[0])*rad
	h := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1)*math.Cos(lat2)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(math.Min(1, h)))
}

// GeoMinutes is the travel time in minutes between two (lon, lat) points
// by road: the great-circle distance times roadFactor (roads are longer
// than the straight line) at speedKmh.
func GeoMinutes(a, b [2]float64, roadFactor, speedKmh float64) float64 {
	return GreatCircleKm(a, b) * roadFactor / speedKmh * 60
}

// euclidean is the straight-line distance between two (x, y) points.
func euclidean(a, b [2]float64) float64 {
	dx, dy := a[0]-b[0], a[1]-b[1]
	return math.Sqrt(dx*dx + dy*dy)
}
