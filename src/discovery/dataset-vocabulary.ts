/**
 * Word lists for the synthetic dataset. Organization names are public facts (these institutions publish on edX);
 * everything else is made up. Distributions follow course-discovery.md §4.
 */

/** Well-known organizations; the Zipf head of the course distribution. `StanfordOnline` and `PennX` appear in
 *  the "A la carte" filter's `org__exclude`, so exclusion filters have something to exclude. */
export const KNOWN_ORGANIZATIONS: readonly (readonly [key: string, name: string])[] = [
  ['HarvardX', 'Harvard University'],
  ['MITx', 'Massachusetts Institute of Technology'],
  ['IBM', 'IBM'],
  ['UCSanDiegoX', 'University of California, San Diego'],
  ['DelftX', 'Delft University of Technology'],
  ['MichiganX', 'University of Michigan'],
  ['BerkeleyX', 'University of California, Berkeley'],
  ['StanfordOnline', 'Stanford University'],
  ['PennX', 'University of Pennsylvania'],
  ['GTx', 'Georgia Institute of Technology'],
  ['ColumbiaX', 'Columbia University'],
  ['LinuxFoundationX', 'The Linux Foundation'],
  ['Microsoft', 'Microsoft'],
  ['UQx', 'The University of Queensland'],
  ['HKUSTx', 'The Hong Kong University of Science and Technology'],
  ['EPFLx', 'École polytechnique fédérale de Lausanne'],
  ['KULeuvenX', 'KU Leuven University'],
  ['TsinghuaX', 'Tsinghua University'],
  ['UBCx', 'University of British Columbia'],
  ['CornellX', 'Cornell University'],
  ['BUx', 'Boston University'],
  ['WageningenX', 'Wageningen University & Research'],
  ['edX', 'edX'],
  ['UTAustinX', 'The University of Texas at Austin'],
  ['RICEx', 'Rice University'],
  ['ETHx', 'ETH Zurich'],
  ['IIMBx', 'Indian Institute of Management Bangalore'],
  ['CurtinX', 'Curtin University'],
  ['AdelaideX', 'The University of Adelaide'],
  ['UPValenciaX', 'Universitat Politècnica de València'],
];

export const ORG_NAME_PARTS_A = [
  'North', 'South', 'East', 'West', 'Lake', 'River', 'Stone', 'Oak', 'Pine', 'Maple', 'Harbor', 'Bay', 'Cedar',
  'Summit', 'Valley', 'Ridge', 'Prairie', 'Coast', 'Bright', 'Silver', 'Golden', 'Iron', 'Crystal', 'Granite',
] as const;
export const ORG_NAME_PARTS_B = [
  'field', 'wood', 'brook', 'haven', 'ford', 'gate', 'hill', 'mont', 'port', 'view', 'dale', 'crest', 'shire',
  'land', 'mere', 'stead',
] as const;
export const ORG_KINDS = [
  ['University of ', ''],
  ['', ' University'],
  ['', ' Institute of Technology'],
  ['', ' College'],
  ['', ' Business School'],
  ['', ' Academy'],
] as const;

/** About 30 subjects with a course-number prefix and topic words for titles. */
export const SUBJECTS: readonly { name: string; prefix: string; topics: readonly string[] }[] = [
  { name: 'Computer Science', prefix: 'CS', topics: ['Programming', 'Algorithms', 'Python', 'Java', 'Software Engineering', 'Web Development', 'Cybersecurity', 'Cloud Computing'] },
  { name: 'Business & Management', prefix: 'BUS', topics: ['Management', 'Leadership', 'Strategy', 'Entrepreneurship', 'Project Management', 'Operations'] },
  { name: 'Data Analysis & Statistics', prefix: 'DS', topics: ['Data Science', 'Statistics', 'Data Visualization', 'Machine Learning', 'Probability', 'R Programming'] },
  { name: 'Engineering', prefix: 'ENG', topics: ['Mechanical Engineering', 'Circuits', 'Robotics', 'Materials', 'Control Systems', 'Thermodynamics'] },
  { name: 'Economics & Finance', prefix: 'ECON', topics: ['Finance', 'Macroeconomics', 'Microeconomics', 'Accounting', 'Investing', 'Corporate Finance'] },
  { name: 'Humanities', prefix: 'HUM', topics: ['Philosophy', 'Ethics', 'Literature', 'Religion', 'Classics'] },
  { name: 'Biology & Life Sciences', prefix: 'BIO', topics: ['Genetics', 'Molecular Biology', 'Ecology', 'Neuroscience', 'Biochemistry'] },
  { name: 'Medicine', prefix: 'MED', topics: ['Public Health', 'Epidemiology', 'Anatomy', 'Nutrition', 'Clinical Research'] },
  { name: 'Health & Safety', prefix: 'HS', topics: ['Global Health', 'Mental Health', 'Workplace Safety', 'Health Policy'] },
  { name: 'Social Sciences', prefix: 'SOC', topics: ['Sociology', 'Psychology', 'Political Science', 'Anthropology'] },
  { name: 'Physics', prefix: 'PHYS', topics: ['Quantum Mechanics', 'Mechanics', 'Electricity and Magnetism', 'Astrophysics'] },
  { name: 'Math', prefix: 'MATH', topics: ['Calculus', 'Linear Algebra', 'Differential Equations', 'Discrete Mathematics'] },
  { name: 'Chemistry', prefix: 'CHEM', topics: ['Organic Chemistry', 'Chemical Engineering', 'Physical Chemistry'] },
  { name: 'Environmental Studies', prefix: 'ENV', topics: ['Climate Change', 'Sustainability', 'Renewable Energy', 'Water Management'] },
  { name: 'Education & Teacher Training', prefix: 'EDU', topics: ['Teaching', 'Instructional Design', 'Online Learning', 'Learning Science'] },
  { name: 'History', prefix: 'HIST', topics: ['World History', 'American History', 'Ancient Civilizations', 'Modern History'] },
  { name: 'Language', prefix: 'LANG', topics: ['English Grammar', 'Spanish', 'Mandarin Chinese', 'Academic Writing'] },
  { name: 'Communication', prefix: 'COMM', topics: ['Public Speaking', 'Business Writing', 'Negotiation', 'Storytelling'] },
  { name: 'Law', prefix: 'LAW', topics: ['Contract Law', 'Intellectual Property', 'International Law', 'Privacy Law'] },
  { name: 'Architecture', prefix: 'ARCH', topics: ['Urban Design', 'Sustainable Building', 'Architectural History'] },
  { name: 'Art & Culture', prefix: 'ART', topics: ['Art History', 'Photography', 'Film Studies', 'Museum Studies'] },
  { name: 'Design', prefix: 'DES', topics: ['User Experience', 'Graphic Design', 'Design Thinking', 'Product Design'] },
  { name: 'Electronics', prefix: 'EE', topics: ['Embedded Systems', 'Signals and Systems', 'Semiconductors'] },
  { name: 'Energy & Earth Sciences', prefix: 'EES', topics: ['Geology', 'Energy Systems', 'Oceanography'] },
  { name: 'Food & Nutrition', prefix: 'FN', topics: ['Food Science', 'Nutrition Science', 'Food Safety'] },
  { name: 'Music', prefix: 'MUS', topics: ['Music Theory', 'Music Production', 'Jazz Improvisation'] },
  { name: 'Philosophy & Ethics', prefix: 'PHIL', topics: ['Moral Philosophy', 'Logic', 'Bioethics'] },
  { name: 'Philanthropy', prefix: 'PHIL', topics: ['Nonprofit Management', 'Social Impact', 'Fundraising'] },
  { name: 'Ethics', prefix: 'ETH', topics: ['AI Ethics', 'Business Ethics', 'Research Ethics'] },
  { name: 'Literature', prefix: 'LIT', topics: ['Shakespeare', 'Poetry', 'Creative Writing', 'World Literature'] },
];

export const TITLE_TEMPLATES: readonly string[] = [
  'Introduction to {t}',
  '{t} Fundamentals',
  'Foundations of {t}',
  'Advanced {t}',
  'Applied {t}',
  '{t} for Business',
  '{t}: Principles and Practice',
  '{t} in Practice',
  'Essentials of {t}',
  'Topics in {t}',
  '{t} for Everyone',
  'Data-Driven {t}',
  'Modern {t}',
  '{t} Capstone',
];

export const SKILLS: readonly string[] = [
  'Python (Programming Language)', 'SQL (Programming Language)', 'Java (Programming Language)', 'JavaScript (Programming Language)',
  'R (Programming Language)', 'C++ (Programming Language)', 'Data Analysis', 'Data Visualization', 'Machine Learning',
  'Deep Learning', 'Statistics', 'Probability', 'Linear Algebra', 'Calculus', 'Project Management', 'Agile Methodology',
  'Leadership', 'Strategic Planning', 'Negotiation', 'Public Speaking', 'Communication', 'Accounting', 'Financial Analysis',
  'Financial Modeling', 'Investment Management', 'Marketing', 'Digital Marketing', 'Supply Chain Management', 'Logistics',
  'Operations Management', 'Cloud Computing', 'Amazon Web Services', 'Microsoft Azure', 'Linux', 'DevOps', 'Kubernetes',
  'Cybersecurity', 'Network Security', 'Cryptography', 'Blockchain', 'Web Development', 'User Experience (UX)',
  'Graphic Design', 'Design Thinking', 'Critical Thinking', 'Problem Solving', 'Research', 'Writing', 'Editing',
  'Public Health', 'Epidemiology', 'Nutrition', 'Genetics', 'Bioinformatics', 'Chemistry', 'Physics', 'Robotics',
  'Electrical Engineering', 'Mechanical Engineering', 'Circuit Design', 'Embedded Systems', 'Sustainability',
  'Renewable Energy', 'Climate Science', 'Economics', 'Econometrics', 'Policy Analysis', 'Law', 'Compliance',
  'Entrepreneurship', 'Innovation', 'Product Management', 'Teaching', 'Curriculum Development', 'Spanish Language',
  'English Language', 'Mandarin Chinese', 'Psychology', 'Sociology', 'Philosophy', 'Ethics', 'History', 'Music Theory',
  'Photography', 'Architecture', 'Urban Planning', 'Excel', 'Tableau', 'Power BI', 'TensorFlow', 'Natural Language Processing',
  'Computer Vision', 'Algorithms', 'Data Structures', 'Software Engineering', 'Git', 'Testing', 'Quality Assurance',
];

export const SKILL_CATEGORIES: readonly (readonly [category: string, subcategory: string])[] = [
  ['Information Technology', 'Software Development'],
  ['Information Technology', 'Data Science'],
  ['Business', 'Management'],
  ['Finance', 'Financial Accounting'],
  ['Science', 'Life Sciences'],
  ['Engineering', 'Electrical Engineering'],
  ['Communication', 'Writing'],
];

/** Language code → search facet display name (course `languages`, run `language`). */
export const LANGUAGES: readonly (readonly [code: string, name: string, weight: number])[] = [
  ['en-us', 'English', 80],
  ['es-es', 'Spanish', 10],
  ['fr-fr', 'French', 2.5],
  ['zh-cmn', 'Chinese - Mandarin', 2.5],
  ['pt-br', 'Portuguese', 2],
  ['ar-sa', 'Arabic', 1],
  ['de-de', 'German', 1],
  ['hi-in', 'Hindi', 0.5],
  ['ja-jp', 'Japanese', 0.5],
];

export const GIVEN_NAMES = [
  'Ana', 'Ben', 'Chen', 'Dana', 'Elif', 'Farah', 'Gabriel', 'Hana', 'Ivan', 'Jamal', 'Kenji', 'Lara', 'Mateo', 'Nadia',
  'Omar', 'Priya', 'Quinn', 'Rosa', 'Samir', 'Tomas', 'Uma', 'Victor', 'Wen', 'Ximena', 'Yusuf', 'Zoe',
] as const;
export const FAMILY_NAMES = [
  'Abbott', 'Bauer', 'Castillo', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Hoffman', 'Ito', 'Jensen', 'Kowalski',
  'Lopez', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Rossi', 'Silva', 'Tanaka', 'Urban', 'Varga', 'Weber', 'Yilmaz',
] as const;
export const POSITIONS = ['Professor', 'Associate Professor', 'Lecturer', 'Senior Instructor', 'Research Scientist', 'Director'] as const;

export const SENTENCES: readonly string[] = [
  'Learn the core ideas behind {t} and apply them to real problems.',
  'This course gives you a practical grounding in {t}.',
  'Build hands-on skills in {t} through projects and case studies.',
  'Explore how {t} shapes industry, research and everyday life.',
  'Designed for beginners and professionals who want to go further in {t}.',
  'Work through guided exercises that turn {t} concepts into working knowledge.',
];

export const PATHWAY_THEMES = [
  'Data Analyst', 'Software Developer', 'Project Manager', 'Cloud Engineer', 'Financial Analyst', 'Product Manager',
  'UX Designer', 'Cybersecurity Analyst', 'Business Leader', 'Public Health Specialist', 'Machine Learning Engineer',
  'Supply Chain Manager',
] as const;
