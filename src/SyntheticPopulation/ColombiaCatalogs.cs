namespace Registry.SyntheticPopulation;

/// <summary>
/// The catalogues of a Colombian (Antioquia, Valle de Aburrá) population: surnames with Antioquia's typical
/// RESTREPO, ZAPATA, GIRALDO, OSPINA, CARDONA, JARAMILLO far more frequent than in Mexico, the national GÓMEZ,
/// GARCÍA, RODRÍGUEZ, LÓPEZ, and particles (DE LA CRUZ, DEL RÍO); compound given names (JUAN DAVID, LUZ MARINA,
/// MARÍA CAMILA); Medellín's 16 comunas and 5 corregimientos with some of their barrios, and four neighbouring
/// municipalities. Approximate weights, not official statistics.
/// </summary>
public static class ColombiaCatalogs
{
    public static readonly WeightedList<string> Surnames = new(new (string, double)[]
    {
        ("GÓMEZ", 30), ("GARCÍA", 26), ("RODRÍGUEZ", 24), ("LÓPEZ", 22), ("MARTÍNEZ", 20), ("GONZÁLEZ", 20), ("HERNÁNDEZ", 16),
        ("PÉREZ", 18), ("SÁNCHEZ", 16), ("RAMÍREZ", 16), ("RESTREPO", 18), ("ZAPATA", 15), ("GIRALDO", 14), ("OSPINA", 13),
        ("CARDONA", 14), ("JARAMILLO", 12), ("VÉLEZ", 11), ("MONTOYA", 11), ("ARANGO", 10), ("MEJÍA", 10), ("CASTAÑO", 9),
        ("HENAO", 9), ("ECHEVERRI", 7), ("URIBE", 8), ("BETANCUR", 8), ("AGUDELO", 9), ("BEDOYA", 8), ("VALENCIA", 9),
        ("QUINTERO", 8), ("MORALES", 8), ("OSORIO", 8), ("RÍOS", 7), ("CORREA", 7), ("DUQUE", 6), ("CASTRO", 6),
        ("MUÑOZ", 9), ("RIVERA", 6), ("ROJAS", 7), ("TORRES", 7), ("SALAZAR", 7), ("ARISTIZÁBAL", 5), ("POSADA", 5),
        ("MARÍN", 7), ("ÁLVAREZ", 8), ("ARBOLEDA", 4), ("CANO", 5), ("DÍAZ", 6), ("ESCOBAR", 5),
        ("FRANCO", 5), ("GALEANO", 4), ("GUTIÉRREZ", 6), ("HIGUITA", 3), ("HOLGUÍN", 3), ("LONDOÑO", 8), ("LOAIZA", 4),
        ("MORENO", 6), ("MUÑETÓN", 2), ("OCAMPO", 4), ("PALACIO", 4), ("PATIÑO", 4), ("PINEDA", 3), ("QUICENO", 3),
        ("RENDÓN", 4), ("SEPÚLVEDA", 4), ("SIERRA", 4), ("SUÁREZ", 5), ("TABORDA", 3), ("TAMAYO", 3), ("USUGA", 2),
        ("VARGAS", 5), ("VILLA", 4), ("YEPES", 3), ("ZULUAGA", 6), ("DE LA CRUZ", 1.5), ("DEL RÍO", 1), ("DE LOS RÍOS", 1),
        ("PALACIOS", 3), ("MOSQUERA", 3), ("CÓRDOBA", 3), ("MENA", 2), ("PEREA", 2), ("ASPRILLA", 1.5), ("BOLÍVAR", 1),
        ("ACEVEDO", 3), ("ALZATE", 3), ("BUILES", 2), ("CARMONA", 2), ("DAVID", 2), ("GAVIRIA", 3), ("ISAZA", 2),
        ("LOPERA", 3), ("MACÍAS", 2), ("NARANJO", 3), ("OROZCO", 3), ("PULGARÍN", 2), ("RUIZ", 4), ("SERNA", 3),
        ("TOBÓN", 3), ("VAHOS", 1.5), ("ÁNGEL", 2), ("CIRO", 1.5), ("DAZA", 1.5), ("ESPINOSA", 2), ("GUZMÁN", 2),
    });

    public static readonly WeightedList<string> FemaleGivenNames = new(new (string, double)[]
    {
        ("MARÍA CAMILA", 6), ("VALENTINA", 6), ("DANIELA", 6), ("LAURA", 5), ("MARÍA JOSÉ", 4), ("ANA MARÍA", 5), ("SARA", 4),
        ("ISABELLA", 4), ("SOFÍA", 4), ("SALOMÉ", 3), ("MARIANA", 4), ("PAULA ANDREA", 3), ("LUZ MARINA", 3), ("LUZ ELENA", 3),
        ("LUZ DARY", 2), ("MARTHA LUCÍA", 3), ("GLORIA ESTELLA", 2), ("BLANCA NUBIA", 2), ("DIANA MARCELA", 3), ("SANDRA MILENA", 3),
        ("CLAUDIA PATRICIA", 3), ("LINA MARCELA", 3), ("ÁNGELA MARÍA", 2), ("MARÍA FERNANDA", 3), ("MARÍA ALEJANDRA", 3),
        ("ALEJANDRA", 3), ("CATALINA", 3), ("NATALIA", 3), ("JULIANA", 3), ("CAROLINA", 3), ("YULIANA", 2), ("ESTEFANÍA", 2),
        ("LUISA FERNANDA", 2), ("MARÍA ISABEL", 2), ("MARÍA DEL PILAR", 1), ("ROSA ELENA", 1.5), ("OLGA LUCÍA", 1.5),
        ("TERESA", 1.5), ("MARGARITA", 1.5), ("GUADALUPE", 0.5), ("ANDREA", 3), ("MÓNICA", 2), ("VERÓNICA", 1.5),
        ("MARÍA DE LOS ÁNGELES", 1), ("EMILIANA", 1.5), ("ANTONELLA", 1.5), ("MATILDE", 1), ("YESENIA", 1.5), ("DORA", 1),
    });

    public static readonly WeightedList<string> MaleGivenNames = new(new (string, double)[]
    {
        ("SANTIAGO", 6), ("JUAN DAVID", 5), ("JUAN PABLO", 4), ("SEBASTIÁN", 4), ("ANDRÉS FELIPE", 4), ("JUAN CAMILO", 4),
        ("CARLOS ANDRÉS", 3), ("JUAN ESTEBAN", 3), ("JUAN JOSÉ", 3), ("SAMUEL", 4), ("MATÍAS", 3), ("JERÓNIMO", 3),
        ("EMMANUEL", 2), ("JOHN FREDY", 2), ("JHON JAIRO", 2), ("LUIS FERNANDO", 3), ("JORGE IVÁN", 2), ("CARLOS MARIO", 3),
        ("JOSÉ LUIS", 2), ("LUIS ALBERTO", 2), ("DIEGO ALEJANDRO", 2), ("JUAN CARLOS", 3), ("JOSÉ FERNANDO", 2),
        ("ALEJANDRO", 3), ("DANIEL", 3), ("DAVID", 2), ("FELIPE", 2), ("MIGUEL ÁNGEL", 2), ("ÓSCAR", 2), ("HERNÁN", 1.5),
        ("GUSTAVO", 1.5), ("RAMIRO", 1.5), ("RAMÓN", 1), ("FRANCISCO JAVIER", 2), ("JESÚS ANTONIO", 1.5), ("LEÓN DARÍO", 1),
        ("WILSON", 1.5), ("EDISON", 1.5), ("YEISON", 1), ("BRAYAN", 1.5), ("KEVIN", 1), ("TOMÁS", 2), ("MARTÍN", 2),
        ("JOSÉ MARÍA", 0.5), ("GUILLERMO", 1), ("ALBERTO", 1), ("EDUARDO", 1), ("RICARDO", 1), ("ANTONIO", 1.5),
    });

    /// <summary>
    /// Medellín's comunas (urban) and corregimientos (rural, codes 50–90) with some barrios each, and the neighbouring
    /// municipalities of the Valle de Aburrá with their own comunas. Phones are Colombian mobiles (3xx).
    /// </summary>
    public static readonly Municipality[] Municipalities =
    [
        new("MEDELLÍN", 16.0, 50000, "30",
            ["1 - Popular", "2 - Santa Cruz", "3 - Manrique", "4 - Aranjuez", "5 - Castilla", "6 - Doce de Octubre", "7 - Robledo",
             "8 - Villa Hermosa", "9 - Buenos Aires", "10 - La Candelaria", "11 - Laureles-Estadio", "12 - La América",
             "13 - San Javier", "14 - El Poblado", "15 - Guayabal", "16 - Belén",
             "50 - Palmitas", "60 - San Cristóbal", "70 - Altavista", "80 - San Antonio de Prado", "90 - Santa Elena"],
            ["SANTO DOMINGO SAVIO NO. 1", "GRANIZAL", "POPULAR", "VILLA DEL SOCORRO", "LA ISLA", "MANRIQUE ORIENTAL", "VERSALLES NO. 2",
             "MORAVIA", "CAMPO VALDÉS NO. 2", "EL PLAYÓN DE LOS COMUNEROS", "PEDREGAL", "EL PESEBRE", "LAS INDEPENDENCIAS",
             "VEINTE DE JULIO", "EL SALADO", "LLANADITAS", "BELENCITO", "BELÉN ALTAVISTA", "SAN ANTONIO DE PRADO CENTRO", "LA LOMA",
             "PAJARITO", "VILLA HERMOSA", "ENCISO", "CARPINELO", "LA CRUZ", "BOMBONÁ NO. 1", "CABAÑITAS"]),
        new("BELLO", 4.0, 51050, "30", ["1 - París", "2 - La Madera", "4 - Suárez", "8 - Niquía", "10 - Zamora"],
            ["PARÍS", "NIQUÍA", "ZAMORA", "LA CABAÑITA", "BELLAVISTA", "EL CAIRO", "SANTA ANA"]),
        new("ITAGÜÍ", 2.5, 55041, "30", ["1 - Centro", "4 - San Francisco", "6 - El Rosario"],
            ["SAN FRANCISCO", "SANTA MARÍA NO. 1", "EL ROSARIO", "LA GLORIA", "SAN JOSÉ"]),
        new("ENVIGADO", 2.0, 55042, "30", ["5 - La Mina", "8 - Las Orquídeas"], ["LA MINA", "EL SALADO", "LAS ORQUÍDEAS", "SAN RAFAEL"]),
        new("COPACABANA", 0.8, 51040, "30", ["2 - Machado", "4 - Yarumito"], ["MACHADO", "YARUMITO", "OBRERO", "SIMÓN BOLÍVAR"]),
    ];

    public static readonly WeightedList<Municipality> MunicipalityPicker = new(Municipalities.Select(m => (m, m.Weight)));

    /// <summary>Services of Medellín's agencies, by sector (the health and social ones the benchmark writes; others fall back to Mexico's).</summary>
    public static IReadOnlyList<ServiceKind> ServicesOf(string sector) => sector switch
    {
        "health" =>
        [
            new("Atención primaria en salud", "CONSULTA MEDICINA GENERAL", 0, 110, null, 10),
            new("Plan ampliado de inmunizaciones", "VACUNACIÓN", 0, 110, null, 5),
            new("Crecimiento y desarrollo", "CONTROL CRECIMIENTO Y DESARROLLO", 0, 9, null, 6),
            new("Salud materna", "CONTROL PRENATAL", 14, 42, 'M', 3),
            new("Riesgo cardiovascular", "TAMIZAJE RIESGO CARDIOVASCULAR", 35, 110, null, 4),
        ],
        "social" =>
        [
            new("Medellín Me Cuida: Familias", "VISITA DE ACOMPAÑAMIENTO", 18, 110, null, 8),
            new("Medellín Me Cuida: Familias", "PLAN FAMILIAR", 18, 110, null, 3),
            new("Buen Comienzo", "ATENCIÓN PRIMERA INFANCIA", 0, 5, null, 5),
            new("Seguridad alimentaria", "PAQUETE ALIMENTARIO", 18, 110, null, 5),
            new("Colombia Mayor", "SUBSIDIO ECONÓMICO", 60, 110, null, 3),
        ],
        _ => Catalogs.ServicesOf(sector),
    };

    /// <summary>Colombian addresses: a street type and number, a cross-street number and the house's distance ("CL 56 # 49-12").</summary>
    public static readonly string[] StreetTypes = ["CL", "CR", "CALLE", "CARRERA", "DG", "TV", "CIRCULAR"];
}
