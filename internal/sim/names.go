package sim

// Word lists for synthetic names. None contains a comma, quote or newline, so rows need no
// CSV quoting.

var provinceNames = [...]string{"Lanshan", "Qinghe", "Donghai"}

var cityNames = [...]string{"Jinhe", "Baiyun", "Songling", "Hualin", "Tianmu", "Longtan"}

var districtNames = [...]string{"Dongcheng", "Xicheng", "Nancheng", "Beicheng", "Zhongshan",
	"Hexi", "Hedong", "Gaoxin", "Binhai", "Jiangbei", "Jiangnan", "Xinqu"}

// zhSurnames and zhGiven hold a character and its pinyin (for e-mail addresses).
var zhSurnames = [...][2]string{
	{"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}, {"陈", "chen"}, {"杨", "yang"},
	{"黄", "huang"}, {"赵", "zhao"}, {"吴", "wu"}, {"周", "zhou"}, {"徐", "xu"}, {"孙", "sun"},
	{"马", "ma"}, {"朱", "zhu"}, {"胡", "hu"}, {"郭", "guo"}, {"何", "he"}, {"高", "gao"},
	{"林", "lin"}, {"罗", "luo"}, {"郑", "zheng"}, {"梁", "liang"}, {"谢", "xie"}, {"宋", "song"},
	{"唐", "tang"}, {"韩", "han"}, {"冯", "feng"}, {"邓", "deng"}, {"曹", "cao"}, {"彭", "peng"},
}

var zhGiven = [...][2]string{
	{"伟", "wei"}, {"芳", "fang"}, {"娜", "na"}, {"敏", "min"}, {"静", "jing"}, {"丽", "li"},
	{"强", "qiang"}, {"磊", "lei"}, {"军", "jun"}, {"洋", "yang"}, {"勇", "yong"}, {"艳", "yan"},
	{"杰", "jie"}, {"娟", "juan"}, {"涛", "tao"}, {"明", "ming"}, {"超", "chao"}, {"秀", "xiu"},
	{"霞", "xia"}, {"平", "ping"}, {"刚", "gang"}, {"英", "ying"}, {"华", "hua"}, {"文", "wen"},
	{"辉", "hui"}, {"玲", "ling"}, {"鹏", "peng"}, {"宇", "yu"}, {"欣", "xin"}, {"婷", "ting"},
	{"浩", "hao"}, {"晨", "chen"}, {"博", "bo"}, {"佳", "jia"}, {"睿", "rui"}, {"思", "si"},
}

var enSurnames = [...]string{"Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans",
	"Thomas", "Walker", "Wright", "Robinson", "Wood", "Thompson", "White", "Green", "Hall",
	"Martin", "Clarke", "Jackson", "Lee", "Chen", "Wong", "Nguyen", "Garcia", "Muller", "Rossi"}

var enGiven = [...]string{"James", "Mary", "John", "Emma", "David", "Olivia", "Michael", "Sophia",
	"Daniel", "Emily", "Thomas", "Grace", "Lucas", "Hannah", "Samuel", "Chloe", "Oliver", "Mia",
	"Henry", "Amelia", "Jack", "Isla", "Noah", "Ava", "Leo", "Ella"}

var mailDomains = [...]string{"example.com", "example.org", "example.net"}

var firmNames = [...]string{"Huaxin", "Zhongtai", "Jinlong", "Hengda", "Tianyu", "Ruifeng",
	"Kanghui", "Mingde", "Xinghe", "Changan", "Yongsheng", "Boda", "Lianhe", "Haitian"}

var firmKinds = [...]string{"Technology Co.", "Trading Co.", "Logistics", "Electronics Factory",
	"Textiles", "Bank Branch", "Insurance Office", "Design Studio", "Construction Co.",
	"Pharmaceuticals", "Printing House", "Software Ltd."}

var foodWords = [...]string{"Golden Noodle House", "Jade Garden Restaurant", "Spicy Pot",
	"Dumpling King", "Harbour Seafood", "Old Town Hotpot", "Lucky Bowl", "Red Lantern Kitchen",
	"Bamboo Grill", "Morning Bun Cafe", "Silk Road Lamian", "Lotus Vegetarian"}

var martNames = [...]string{"Yonghui", "Hualian", "FreshMart", "CityMart", "Green Basket"}

var gymNames = [...]string{"Iron Crane Fitness", "Pulse Gym", "Dragon Boxing Club",
	"Sunrise Yoga & Fitness", "PowerHouse Gym"}

var barNames = [...]string{"The Copper Kettle", "Blue Moon Bar", "Riverside Tavern",
	"Lantern Lounge", "Hop & Barley", "Night Owl Bar", "Karaoke Star"}

var vaccineProducts = [...]string{"BBIBP-CorV", "CoronaVac", "ZF2001", "Comirnaty"}

// symptomSets are what symptomatic people declare; declarations join them with ';'.
var symptomSets = [...]string{"fever;cough", "fever;sore_throat;fatigue", "cough;fatigue",
	"fever;headache", "sore_throat;cough;loss_of_smell", "fever;cough;shortness_of_breath",
	"fatigue;headache;loss_of_taste", "fever"}

// noiseSymptoms are declared now and then by people who are not infected.
var noiseSymptoms = [...]string{"headache", "cough", "sore_throat", "fatigue"}
