//! Azerbaijani attribution cases (our own texts).

use crate::attribution_cases::{Expect, claim};

pub fn cases() -> Vec<(&'static str, Vec<Expect>)> {
    vec![
        // "Bu barədə ...": the sentence before is what was said; an outlet ("Bu barədə Report
        // xəbər verir") reports the claims of the sentence before.
        (
            "Azərbaycan və Türkiyə arasında yeni saziş imzalanıb. Bu barədə xarici işlər naziri Ceyhun Bayramov bildirib.",
            vec![claim(
                "indirect",
                "Ceyhun Bayramov",
                "bildirib",
                "Azərbaycan və Türkiyə arasında yeni saziş imzalanıb",
            )],
        ),
        (
            "Nazir Ceyhun Bayramov bildirib ki, danışıqlar davam edəcək. Bu barədə Report xəbər verir.",
            vec![
                claim(
                    "indirect",
                    "Ceyhun Bayramov",
                    "bildirib",
                    "danışıqlar davam edəcək",
                )
                .via("Report"),
            ],
        ),
        // "X bildirib ki, ..." with several verbs.
        (
            "Xarici işlər naziri Ceyhun Bayramov bildirib ki, danışıqlar gələn həftə Bakıda davam edəcək.",
            vec![claim(
                "indirect",
                "Ceyhun Bayramov",
                "bildirib",
                "danışıqlar gələn həftə Bakıda davam edəcək",
            )],
        ),
        (
            "Mərkəzi Bankın sədri Taleh Kazımov qeyd edib ki, inflyasiya ilin sonunadək azalacaq.",
            vec![claim(
                "indirect",
                "Taleh Kazımov",
                "qeyd edib",
                "inflyasiya ilin sonunadək azalacaq",
            )],
        ),
        (
            "İqtisadiyyat naziri Mikayıl Cabbarov vurğulayıb ki, qeyri-neft sektoru 5 faiz böyüyüb.",
            vec![claim(
                "indirect",
                "Mikayıl Cabbarov",
                "vurğulayıb",
                "qeyri-neft sektoru 5 faiz böyüyüb",
            )],
        ),
        (
            "Nazirliyin sözçüsü Aynur Əliyeva açıqlayıb ki, yeni qaydalar martın 1-dən qüvvəyə minəcək.",
            vec![claim(
                "indirect",
                "Aynur Əliyeva",
                "açıqlayıb",
                "yeni qaydalar martın 1-dən qüvvəyə minəcək",
            )],
        ),
        // Direct speech with "deyə" after the quotation.
        (
            "\"Biz sülh istəyirik, amma torpaqlarımızı qoruyacağıq\", - deyə müdafiə naziri Zakir Həsənov bildirib.",
            vec![claim(
                "direct",
                "Zakir Həsənov",
                "bildirib",
                "Biz sülh istəyirik, amma torpaqlarımızı qoruyacağıq",
            )],
        ),
        (
            "\"Layihə vaxtında başa çatacaq\", - deyə şirkətin direktoru Rauf Məmmədov qeyd edib.",
            vec![claim(
                "direct",
                "Rauf Məmmədov",
                "qeyd edib",
                "Layihə vaxtında başa çatacaq",
            )],
        ),
        // Direct speech with a dash and no particle, and a quotation of two sentences.
        (
            "\"Komanda yaxşı oynadı. Biz növbəti oyuna hazırıq\", - baş məşqçi Elvin Rüstəmov əlavə edib.",
            vec![claim(
                "direct",
                "Elvin Rüstəmov",
                "əlavə edib",
                "Biz növbəti oyuna hazırıq",
            )],
        ),
        (
            "«Qiymətlər sabit qalacaq», - deyə Tarif Şurasının sədri Rövşən Ağayev vurğulayıb.",
            vec![claim(
                "direct",
                "Rövşən Ağayev",
                "vurğulayıb",
                "Qiymətlər sabit qalacaq",
            )],
        ),
        // Verb-final indirect speech.
        (
            "Səhiyyə naziri Teymur Musayev xəstəxanaların tam hazır olduğunu bildirib.",
            vec![claim(
                "indirect",
                "Teymur Musayev",
                "bildirib",
                "xəstəxanaların tam hazır olduğunu",
            )],
        ),
        (
            "Deputat Elşən Musayev isə yeni qanunun vergi yükünü azaldacağını deyib.",
            vec![claim(
                "indirect",
                "Elşən Musayev",
                "deyib",
                "yeni qanunun vergi yükünü azaldacağını",
            )],
        ),
        // Pronoun and role nouns resolved to the named speaker before.
        (
            "Energetika naziri Pərviz Şahbazov Ankarada səfərdədir. O bildirib ki, qaz ixracı artırılacaq.",
            vec![
                claim("indirect", "O", "bildirib", "qaz ixracı artırılacaq")
                    .resolved("Pərviz Şahbazov"),
            ],
        ),
        (
            "Ekologiya naziri Muxtar Babayev Lənkəranda olub. Nazir qeyd edib ki, meşələrin bərpası davam edir.",
            vec![
                claim(
                    "indirect",
                    "Nazir",
                    "qeyd edib",
                    "meşələrin bərpası davam edir",
                )
                .resolved("Muxtar Babayev"),
            ],
        ),
        // "sözlərinə görə", "məlumatına görə", "fikrincə".
        (
            "Ekspert Vüqar Bayramovun sözlərinə görə, manatın məzənnəsi sabit qalacaq.",
            vec![claim(
                "according_to",
                "Vüqar Bayramovun",
                "sözlərinə görə",
                "manatın məzənnəsi sabit qalacaq",
            )],
        ),
        (
            "Dövlət Statistika Komitəsinin məlumatına görə, ixrac 12 faiz artıb.",
            vec![claim(
                "according_to",
                "Dövlət Statistika Komitəsinin",
                "məlumatına görə",
                "ixrac 12 faiz artıb",
            )],
        ),
        (
            "Analitiklərin fikrincə, neftin qiyməti yayda yüksələcək.",
            vec![claim(
                "according_to",
                "Analitiklərin",
                "fikrincə",
                "neftin qiyməti yayda yüksələcək",
            )],
        ),
        // The outlet: "xəbər verir", alone and as the reporter of another claim.
        (
            "Report xəbər verir ki, Bakı-Tbilisi qatarı yenidən işə düşüb.",
            vec![claim(
                "indirect",
                "Report",
                "xəbər verir",
                "Bakı-Tbilisi qatarı yenidən işə düşüb",
            )],
        ),
        (
            "APA xəbər verir ki, Baş nazir Əli Əsədov bildirib ki, yeni məktəblər tikiləcək.",
            vec![
                claim(
                    "indirect",
                    "Əli Əsədov",
                    "bildirib",
                    "yeni məktəblər tikiləcək",
                )
                .via("APA"),
            ],
        ),
        // Postposed speaker after a comma.
        (
            "Sərhəd keçid məntəqəsi gecə də işləyəcək, gömrük komitəsinin sədri Şahin Bağırov bildirib.",
            vec![claim(
                "indirect",
                "Şahin Bağırov",
                "bildirib",
                "Sərhəd keçid məntəqəsi gecə də işləyəcək",
            )],
        ),
        // Mixed: a quoted part inside indirect speech.
        (
            "Prezidentin köməkçisi Hikmət Hacıyev bildirib ki, bu addım \"regionda sülhə xidmət edir\".",
            vec![claim(
                "mixed",
                "Hikmət Hacıyev",
                "bildirib",
                "bu addım \"regionda sülhə xidmət edir\"",
            )],
        ),
        // Negated speech and no speech: no claim.
        (
            "Nazirlik bu barədə heç nə bildirməyib. Şirkət rəsmiləri məsələni şərh etməyiblər.",
            vec![],
        ),
        (
            "Bakıda yeni metro stansiyası açılıb. Stansiya gündə 40 min sərnişinə xidmət göstərəcək.",
            vec![],
        ),
        // A Cyrillic-script record, transliterated first.
        (
            "Назир Ҹејһун Бајрамов билдириб ки, данышыглар давам едəҹəк.",
            vec![claim(
                "indirect",
                "Ceyhun Bayramov",
                "bildirib",
                "danışıqlar davam edəcək",
            )],
        ),
        // Several claims.
        (
            "Bakı Şəhər İcra Hakimiyyətinin başçısı Eldar Əzizov bildirib ki, yeni parklar salınacaq. \"Şəhər daha yaşıl olacaq\", - deyə o əlavə edib. Onun sözlərinə görə, işlər iyunda başlayacaq.",
            vec![
                claim(
                    "indirect",
                    "Eldar Əzizov",
                    "bildirib",
                    "yeni parklar salınacaq",
                ),
                claim("direct", "o", "əlavə edib", "Şəhər daha yaşıl olacaq")
                    .resolved("Eldar Əzizov"),
                claim(
                    "according_to",
                    "Onun",
                    "sözlərinə görə",
                    "işlər iyunda başlayacaq",
                )
                .resolved("Eldar Əzizov"),
            ],
        ),
        // A longer report: outlet, named speaker, role noun, quotation and a fact without a claim.
        (
            "BAKI, 5 aprel. Trend xəbər verir ki, Azərbaycan Dəmir Yollarının sədri Rövşən Rüstəmov bildirib ki, yeni vaqonlar may ayında gələcək. \"Sərnişinlər daha rahat səyahət edəcəklər\", - deyə sədr əlavə edib. Vaqonlar Türkiyədə istehsal olunur. Onların sayı 30-dur.",
            vec![
                claim(
                    "indirect",
                    "Rövşən Rüstəmov",
                    "bildirib",
                    "yeni vaqonlar may ayında gələcək",
                )
                .via("Trend"),
                claim(
                    "direct",
                    "sədr",
                    "əlavə edib",
                    "Sərnişinlər daha rahat səyahət edəcəklər",
                )
                .resolved("Rövşən Rüstəmov"),
            ],
        ),
        (
            "Kənd Təsərrüfatı Nazirliyinin məlumatına görə, bu il taxıl məhsuldarlığı azalıb. Quraqlıq əsasən qərb rayonlarına təsir edib. Fermerlər yardım gözləyirlər. Nazir müavini İlham Quliyev isə vəziyyətin nəzarətdə olduğunu qeyd edib.",
            vec![
                claim(
                    "according_to",
                    "Kənd Təsərrüfatı Nazirliyinin",
                    "məlumatına görə",
                    "bu il taxıl məhsuldarlığı azalıb",
                ),
                claim(
                    "indirect",
                    "İlham Quliyev",
                    "qeyd edib",
                    "vəziyyətin nəzarətdə olduğunu",
                ),
            ],
        ),
        (
            "ABŞ-ın səfiri Mark Libbi jurnalistlərə bildirib ki, Vaşinqton əməkdaşlığı genişləndirəcək. Dünən Gəncədə kənd təsərrüfatı yarmarkası keçirilib. Yarmarkada 200 fermer iştirak edib.",
            vec![claim(
                "indirect",
                "Mark Libbi",
                "bildirib",
                "Vaşinqton əməkdaşlığı genişləndirəcək",
            )],
        ),
        // Speech marked by a label, not a verb: a headline "Speaker: statement", transcript
        // turns, a quotation signed with a dash.
        (
            "İlham Əliyev: Azərbaycan regionda sülh istəyir\n\nPrezident Bakıda görüş keçirib.",
            vec![claim(
                "indirect",
                "İlham Əliyev",
                ":",
                "Azərbaycan regionda sülh istəyir",
            )],
        ),
        (
            "APARICI: Siz Cenevrəyə gedəcəksiniz?\nNAZİR: Bəli, gələn həftə orada olacağıq.",
            vec![
                claim("direct", "APARICI", ":", "Siz Cenevrəyə gedəcəksiniz?"),
                claim("direct", "NAZİR", ":", "Bəli, gələn həftə orada olacağıq."),
            ],
        ),
        (
            "“Xalq həmişə bizimlədir” — İlham Əliyev\nTədbir Bakıda keçirilib.",
            vec![claim(
                "direct",
                "İlham Əliyev",
                "—",
                "“Xalq həmişə bizimlədir”",
            )],
        ),
        // Other tenses and persons: past "-dı", pluperfect "-mışdı", perfect "-mışdır",
        // plural "-dılar"; more "X et-/X ver-" verbs.
        (
            "Energetika naziri Pərviz Şahbazov parlamentə bildirdi ki, yeni elektrik stansiyası ilin sonunda işə düşəcək.",
            vec![claim(
                "indirect",
                "Pərviz Şahbazov",
                "bildirdi",
                "yeni elektrik stansiyası ilin sonunda işə düşəcək",
            )],
        ),
        (
            "Səhiyyə naziri Teymur Musayev yeni xəstəxananın payızda açılacağını bildirmişdi.",
            vec![claim(
                "indirect",
                "Teymur Musayev",
                "bildirmişdi",
                "yeni xəstəxananın payızda açılacağını",
            )],
        ),
        (
            "Nizami Gəncəvi demişdir: “Söz insanın ən böyük sərvətidir.”",
            vec![claim(
                "direct",
                "Nizami Gəncəvi",
                "demişdir",
                "“Söz insanın ən böyük sərvətidir.”",
            )],
        ),
        (
            "Şirkətin rəhbərləri elan etdilər ki, zavod gələn ay bağlanacaq.",
            vec![claim(
                "indirect",
                "Şirkətin rəhbərləri",
                "elan etdilər",
                "zavod gələn ay bağlanacaq",
            )],
        ),
        (
            "Bələdiyyə sədri Rauf Həsənov yolun təmirinin iyulda bitəcəyini təsdiq edib.",
            vec![claim(
                "indirect",
                "Rauf Həsənov",
                "təsdiq edib",
                "yolun təmirinin iyulda bitəcəyini",
            )],
        ),
        (
            "Baş nazir Əli Əsədov gənc ailələrə ucuz mənzil verəcəyinə söz verib.",
            vec![claim(
                "indirect",
                "Əli Əsədov",
                "söz verib",
                "gənc ailələrə ucuz mənzil verəcəyinə",
            )],
        ),
        // A quoted sentence with no comma before its speaker (translated news writes it so).
        (
            "\"Biz bu körpünü gələn il tikib qurtaracağıq\" Nəqliyyat naziri Rəşad Nəbiyev dedi.",
            vec![claim(
                "direct",
                "Rəşad Nəbiyev",
                "dedi",
                "\"Biz bu körpünü gələn il tikib qurtaracağıq\"",
            )],
        ),
        // An addressee in the dative between the speaker and the verb.
        (
            "Ekspert Əli Quliyev “Report” agentliyinə bildirib ki, bu il məhsul bol olacaq.",
            vec![claim(
                "indirect",
                "Əli Quliyev",
                "bildirib",
                "bu il məhsul bol olacaq",
            )],
        ),
        // "–deyə, o, bildirib": the particle and the pronoun set off by commas.
        (
            "Nazir Rəşad Nəbiyev Bakıda yeni körpünü açıb. “Biz ikinci körpünü gələn il tikəcəyik.” –deyə, o, bildirib.",
            vec![
                claim(
                    "direct",
                    "o",
                    "bildirib",
                    "“Biz ikinci körpünü gələn il tikəcəyik.”",
                )
                .resolved("Rəşad Nəbiyev"),
            ],
        ),
        // A dropped subject: the quotation is the last named person's.
        (
            "Futbolçu Kamran Ağayev matçdan sonra jurnalistlərlə görüşüb. \"Biz bu oyunda çox yaxşı oynadıq və qalib gəldik\", - dedi.",
            vec![
                claim(
                    "direct",
                    "",
                    "dedi",
                    "\"Biz bu oyunda çox yaxşı oynadıq və qalib gəldik\"",
                )
                .resolved("Kamran Ağayev"),
            ],
        ),
        // A passive verb: its source in the ablative, or no claim.
        (
            "Fövqəladə Hallar Nazirliyindən bildirilib ki, yanğın tam söndürülüb.",
            vec![claim(
                "indirect",
                "Fövqəladə Hallar Nazirliyindən",
                "bildirilib",
                "yanğın tam söndürülüb",
            )],
        ),
        ("Bəyanatda bildirilir ki, yanğın tam söndürülüb.", vec![]),
        ("Yanğının tam söndürüldüyü bildirilib.", vec![]),
        // "X-in verdiyi məlumata görə": according to the information X gave.
        (
            "Polisin verdiyi məlumata görə, qəzada üç nəfər yaralanıb.",
            vec![claim(
                "according_to",
                "Polisin",
                "verdiyi məlumata görə",
                "qəzada üç nəfər yaralanıb",
            )],
        ),
        // A capitalised first word that is no name, pronoun or role noun is not a speaker.
        (
            "Məlumata əsasən, ekspertiza ölümün səbəbini təsdiq edib.",
            vec![],
        ),
        // A comma inside the closing quotation mark (English punctuation in translated news):
        // speech even when short, with no comma or "deyə" after it.
        (
            "“Biz hazırıq,” nazir Ceyhun Bayramov bildirib.",
            vec![claim(
                "direct",
                "Ceyhun Bayramov",
                "bildirib",
                "Biz hazırıq",
            )],
        ),
        // "izah et-": to explain.
        (
            "\"Xərçəng hüceyrələri azalır\", deyə professor Əli Həsənov izah etdi.",
            vec![claim(
                "direct",
                "Əli Həsənov",
                "izah etdi",
                "Xərçəng hüceyrələri azalır",
            )],
        ),
        // An addressee between the speaker and the verb: a common noun in the dative with
        // the name before it, or a name in the dative.
        (
            "Bazar meneceri Reuters agentliyinə bildirib ki, polis donuzu damda saxlayıb.",
            vec![claim(
                "indirect",
                "Bazar meneceri",
                "bildirib",
                "polis donuzu damda saxlayıb",
            )],
        ),
        (
            "Nazir Ceyhun Bayramov APA-ya bildirib ki, danışıqlar davam edəcək.",
            vec![claim(
                "indirect",
                "Ceyhun Bayramov",
                "bildirib",
                "danışıqlar davam edəcək",
            )],
        ),
        // An addressee that is a common noun in the possessive dative.
        (
            "Baş nazir Əli Əsədov parlament komitəsinə bildirdi ki, o, buna tam əmindir.",
            vec![claim(
                "indirect",
                "Əli Əsədov",
                "bildirdi",
                "o, buna tam əmindir",
            )],
        ),
        // The verb-final claim goes on with "və": "X ... -acağını bildirib və ..."; the
        // second verb's content starts after the first verb.
        (
            "Prezident George İvanov referendumda səs verməyəcəyini bildirib və boykota çağırıb.",
            vec![
                claim(
                    "indirect",
                    "George İvanov",
                    "bildirib",
                    "referendumda səs verməyəcəyini",
                ),
                claim("indirect", "George İvanov", "çağırıb", "boykota"),
            ],
        ),
        // An object clause before the verb is never its speaker: the speaker is the subject
        // at the start of the sentence, else (a dropped subject) the last named person.
        (
            "Nazir Ceyhun Bayramov jurnalistlərlə görüşüb. Danışıqların davam edəcəyini bildirib: \"Biz hazırıq və gözləyirik\".",
            vec![
                claim("direct", "", "bildirib", "\"Biz hazırıq və gözləyirik\"")
                    .resolved("Ceyhun Bayramov"),
            ],
        ),
        (
            "O, danışıqların davam edəcəyini bildirib: \"Biz hazırıq və gözləyirik\".",
            vec![claim("direct", "O", "bildirib", "\"Biz hazırıq və gözləyirik\"").resolved("")],
        ),
        // A name in the genitive owns the subject after it: the person named there, or the
        // role noun.
        (
            "Commerzbank-ın icraçı direktoru Martin Zielke bu il gəlirlərin artacağını söylədi.",
            vec![claim(
                "indirect",
                "Martin Zielke",
                "söylədi",
                "bu il gəlirlərin artacağını",
            )],
        ),
        (
            "Xarici İşlər Nazirliyinin sözçüsü danışıqların davam edəcəyini bildirib.",
            vec![
                claim(
                    "indirect",
                    "Xarici İşlər Nazirliyinin sözçüsü",
                    "bildirib",
                    "danışıqların davam edəcəyini",
                )
                .resolved(""),
            ],
        ),
        // Speech after a colon, its quotation marks left out.
        (
            "Professor Jay Berzofsky dedi: Nəticələr bizə çox ümid verir.",
            vec![claim(
                "indirect",
                "Jay Berzofsky",
                "dedi",
                "Nəticələr bizə çox ümid verir",
            )],
        ),
        // "Deyirlər" is hearsay ("they say"), "vəd edir" is "looks promising".
        ("Deyirlər ki, qış sərt keçəcək.", vec![]),
        ("Yeni dərman çox şey vəd edir.", vec![]),
        // A plural role noun names a group: it is the speaker and resolves to itself.
        (
            "Mütəxəssislər, neftin qiymətinin gələn il artacağını söyləyirlər.",
            vec![claim(
                "indirect",
                "Mütəxəssislər",
                "söyləyirlər",
                "neftin qiymətinin gələn il artacağını",
            )],
        ),
        // After "deyə" the speaker may be a long description ending in the name.
        (
            "\"Bu qərar bölgədə sülhə xidmət edir\" deyə Bakıda fəaliyyət göstərən beynəlxalq hüquq müdafiə təşkilatlarından biri olan Azadlıq Mərkəzinin icraçı direktoru Leyla Məmmədova bildirib.",
            vec![claim(
                "direct",
                "Leyla Məmmədova",
                "bildirib",
                "Bu qərar bölgədə sülhə xidmət edir",
            )],
        ),
        // Interrupted inside one pair of marks, as in Russian.
        (
            "\"Biz razıyıq, - deyə nazir Ceyhun Bayramov bildirib, - danışıqlar davam edəcək\".",
            vec![claim(
                "direct",
                "Ceyhun Bayramov",
                "bildirib",
                "danışıqlar davam edəcək",
            )],
        ),
        // Translated news: the verb right after the quotation, then the name or nothing;
        // a subject set off by a comma before an object clause.
        (
            "\"Bankların qarşısında duran çətinliklər olduqca böyükdür\" dedi Martin Zielke.",
            vec![claim(
                "direct",
                "Martin Zielke",
                "dedi",
                "Bankların qarşısında duran çətinliklər olduqca böyükdür",
            )],
        ),
        (
            "Seneqal silahlı qüvvələri, üç əsgərin vertolyot qəzasında öldüyünü söylədi.",
            vec![claim(
                "indirect",
                "Seneqal silahlı qüvvələri",
                "söylədi",
                "üç əsgərin vertolyot qəzasında öldüyünü",
            )],
        ),
        // A pronoun or name set off by a comma after the quotation; a circumstance up to the
        // verb ("çıxış edərkən", "while speaking"); "sözlərinə davam etdi" ("went on").
        (
            "Donald Tramp mitinqdə çıxış edib. \"Bu səs ən yaxşı hüquqşünasa verilmiş bir səsdir\", deyə o, Qərbi Virciniya dəstəkçilərinin qarşısında çıxış edərkən qeyd edib.",
            vec![
                claim(
                    "direct",
                    "o",
                    "qeyd edib",
                    "Bu səs ən yaxşı hüquqşünasa verilmiş bir səsdir",
                )
                .resolved("Donald Tramp"),
            ],
        ),
        (
            "\"Cinayətkarları tapacağıq\", - deyə nazir Vilayət Eyvazov sözlərinə davam etdi.",
            vec![claim(
                "direct",
                "Vilayət Eyvazov",
                "sözlərinə davam etdi",
                "Cinayətkarları tapacağıq",
            )],
        ),
        // A long description before the person who speaks; a name before a postposition
        // ("Meghan ilə", "with Meghan") is no subject.
        (
            "Ad dəyişikliyi ilə bağlı plebisitə etiraz edən Makedoniya prezidenti George İvanov seçkilərə getməyəcəyini bildirib.",
            vec![claim(
                "indirect",
                "George İvanov",
                "bildirib",
                "seçkilərə getməyəcəyini",
            )],
        ),
        (
            "Güclü bir kampaniya aparan qadın texnoloji qurucusu Meghan ilə söhbət əsnasında gənc kişilər üçün də eyni şeyi edəcəyinə ümid etdiyini söylədi.",
            vec![],
        ),
        // A list of headlines, one per line without final punctuation: each line is a
        // sentence. A verb-final headline claims only with an object clause ("nəticələri
        // açıqlayıb" discloses results); a genitive name owns the noun after it; a
        // competition's name is no speaker; the outlet's tags are not what was said.
        (
            "Donald Tramp gələn həftə Netanyahu ilə Ağ Evdə görüşə biləcəklərini deyib\n\
             AzInTelecom 2026-cı ilin ilk yarısında əldə olunan nəticələri açıqlayıb\n\
             Raul Kastronun nəvəsi Trampla dialoqa hazır olduğunu bildirib\n\
             DÇ-2026: Braziliya Mərakeşlə qarşılaşacaq\n\
             FHN: Balakəndə su dolmuş ərazilərdə tədbirlər davam etdirilir - VİDEO\n\
             DİN: Cinayət törətməkdə şübhəli bilinən 49 nəfər saxlanılıb - FOTO\n\
             Xamenei əvvəlcə ABŞ ilə danışıqların əleyhinə olduğunu açıqlayıb\n\
             Hizbullah lideri Livanda kimin silaha sahib ola biləcəyini açıqlayıb\n\
             Zelenski Trampla söhbətdən sonra sülh üçün real perspektiv olduğunu deyib",
            vec![
                claim(
                    "indirect",
                    "Donald Tramp",
                    "deyib",
                    "gələn həftə Netanyahu ilə Ağ Evdə görüşə biləcəklərini",
                ),
                claim(
                    "indirect",
                    "Raul Kastronun nəvəsi",
                    "bildirib",
                    "Trampla dialoqa hazır olduğunu",
                ),
                claim(
                    "direct",
                    "FHN",
                    ":",
                    "Balakəndə su dolmuş ərazilərdə tədbirlər davam etdirilir",
                ),
                claim(
                    "direct",
                    "DİN",
                    ":",
                    "Cinayət törətməkdə şübhəli bilinən 49 nəfər saxlanılıb",
                ),
                // A lone first word is the subject of a headline with an object clause.
                claim(
                    "indirect",
                    "Xamenei",
                    "açıqlayıb",
                    "ABŞ ilə danışıqların əleyhinə olduğunu",
                ),
                // A headline's role stands for itself, not for an earlier line's speaker.
                claim(
                    "indirect",
                    "Hizbullah lideri",
                    "açıqlayıb",
                    "Livanda kimin silaha sahib ola biləcəyini",
                )
                .resolved("Hizbullah lideri"),
                // A later name in the comitative is not part of the subject.
                claim(
                    "indirect",
                    "Zelenski",
                    "deyib",
                    "sülh üçün real perspektiv olduğunu",
                ),
            ],
        ),
        // An unnamed source ("Mənbə") is not the minister named before it (2026-11-28).
        (
            "Nazir Ceyhun Bayramov bildirib ki, danışıqlar davam edəcək. Mənbə qeyd edib ki, saziş hazırdır.",
            vec![
                claim(
                    "indirect",
                    "Ceyhun Bayramov",
                    "bildirib",
                    "danışıqlar davam edəcək",
                ),
                claim("indirect", "Mənbə", "qeyd edib", "saziş hazırdır"),
            ],
        ),
        // A role noun in the possessive after a name is the subject ("JAL sözçüsü"); names
        // joined by "və" speak together; a pronoun in the dative ("ona") is whom it was
        // told to (2026-11-28).
        (
            "Bir qədər təəccüblənmiş bir JAL sözçüsü bu xüsusiyyəti təsdiqlədi.",
            vec![claim(
                "indirect",
                "JAL sözçüsü",
                "təsdiqlədi",
                "bu xüsusiyyəti",
            )],
        ),
        (
            "İran və Oman Hörmüz boğazının beynəlxalq gəmiçilik üçün açıq olduğunu elan ediblər.",
            vec![claim(
                "indirect",
                "İran və Oman",
                "elan ediblər",
                "Hörmüz boğazının beynəlxalq gəmiçilik üçün açıq olduğunu",
            )],
        ),
        (
            "Kişi ona dedi: \"Mən sənə yaxşılıq etdim.\"",
            vec![claim("direct", "Kişi", "dedi", "Mən sənə yaxşılıq etdim.")],
        ),
    ]
}
